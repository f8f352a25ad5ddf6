"""Writes the small NumPy-made .npy files that api/src/test/.../NpyTest reads (run once; the files are committed)."""
import sys
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "api/src/test/resources/npy"
a = np.arange(6).reshape(2, 3)
np.save(f"{out}/f4.npy", (a / 4).astype("<f4"))
np.save(f"{out}/f8.npy", (a / 3).astype("<f8"))
np.save(f"{out}/i8.npy", (a - 2).astype("<i8"))
np.save(f"{out}/b1.npy", np.array([[True, False, True], [False, False, True]]))
np.save(f"{out}/scalar.npy", np.float64(2.5))
np.save(f"{out}/vector.npy", np.array([1.5, -2.0], dtype="<f4"))
with open(f"{out}/v2.npy", "wb") as f:
    np.lib.format.write_array(f, (a / 8).astype("<f4"), version=(2, 0))
np.save(f"{out}/big_endian.npy", a.astype(">f4"))
np.save(f"{out}/fortran.npy", np.asfortranarray((a / 4).astype("<f4")))
np.save(f"{out}/int32.npy", a.astype("<i4"))
