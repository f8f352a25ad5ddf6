"""Prints one 'N passed, N failed, N skipped' line over every JUnit XML report in the tree:
Surefire's unit tests and bnd-testing's in-framework tests alike."""
import glob
import sys
import xml.etree.ElementTree as ET

root = sys.argv[1] if len(sys.argv) > 1 else "."
total = failed = skipped = 0
patterns = ["**/target/surefire-reports/TEST-*.xml", "**/target/test-reports/**/TEST-*.xml"]
seen = set()
for pattern in patterns:
    for path in glob.glob(f"{root}/{pattern}", recursive=True):
        if path in seen:
            continue
        seen.add(path)
        r = ET.parse(path).getroot()
        suites = [r] if r.tag == "testsuite" else r.findall("testsuite")
        for s in suites:
            total += int(s.get("tests", 0))
            failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
            skipped += int(s.get("skipped", 0))
print(f"{total - failed - skipped} passed, {failed} failed, {skipped} skipped")
