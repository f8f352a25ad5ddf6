package org.attune.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AttuneCommandsTest {
    private final AttuneCommands commands = new AttuneCommands(new FakeRegistry());

    @Test
    void listPrintsOneRowPerMethodWithCitation() {
        assertEquals("""
            ID      KIND                 FAMILY  NAME                          PAPER
            sdpa    attention            core    Scaled dot-product attention  Attention Is All You Need (arXiv:1706.03762, 2017)
            scaled  attention            test    Scaled output
            rope    positional-encoding  rotary  RoFormer                      \
            RoFormer: Enhanced Transformer with Rotary Position Embedding (arXiv:2104.09864, 2021)""",
            commands.list("", ""));
    }

    @Test
    void listFiltersByKindAndFamily() {
        assertEquals(2, commands.list("attention", "").lines().count() - 1);
        assertEquals(1, commands.list("pe", "").lines().count() - 1);
        assertEquals("no methods installed matching --kind attention --family rotary", commands.list("attention", "rotary"));
    }

    @Test
    void listNamesABadKind() {
        CommandFailure f = assertThrows(CommandFailure.class, () -> commands.list("colour", ""));
        assertEquals("--kind: expected one of attention, positional-encoding, equivariant, diagnostic; got 'colour'",
            f.getMessage());
    }

    @Test
    void infoShowsDescriptorOptionsAndProvider() {
        String info = commands.info("scaled");
        assertTrue(info.startsWith("scaled: Scaled output\n"), info);
        assertTrue(info.contains("  options      --opt factor  multiplies the output\n"), info);
        assertTrue(info.contains("               --opt label  ignored text\n"), info);
        assertTrue(info.contains("  symmetries   none declared\n"), info);
        assertTrue(info.endsWith("  provided by  org.attune.attention.core 0.2.0 (service 41, ranking 5)"), info);
        assertTrue(commands.info("sdpa").contains("  arXiv        1706.03762  https://arxiv.org/abs/1706.03762\n"));
    }

    @Test
    void infoNamesAnUnknownId() {
        CommandFailure f = assertThrows(CommandFailure.class, () -> commands.info("nope"));
        assertEquals("ID: no method with id 'nope' is installed (attune:list shows the installed ones)", f.getMessage());
        assertEquals(f.getMessage(), f.toString());
    }

    @Test
    void whyMarksTheChosenCandidate() {
        assertEquals("""
            attention sdpa: 2 candidates
               SERVICE  RANKING  BUNDLE                     VERSION  REASON
            *       41        5  org.attune.attention.core  0.2.0    highest ranking (5)
                    17        0  org.attune.attention.old   0.1.0    lower ranking (0 < 5)""", commands.why("sdpa"));
        assertTrue(commands.why("shifted").startsWith("backend shifted: 1 candidate, none chosen\n"));
        assertThrows(CommandFailure.class, () -> commands.why("nope"));
    }
}
