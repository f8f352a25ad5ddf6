package org.attune.shell;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;

/**
 * A real Gogo command processor for the shell tests: command objects are added by scope and function names, and
 * command lines run in one session, so option binding is tested as a user types it. {@code DIR} in a line stands
 * for the test's folder.
 */
final class GogoShell implements AutoCloseable {
    private final ThreadIOImpl threadIO = new ThreadIOImpl();
    private final CommandProcessorImpl processor;
    private final Path dir;
    private CommandSession session;

    GogoShell(Path dir) {
        this.dir = dir;
        threadIO.start();
        processor = new CommandProcessorImpl(threadIO);
    }

    /** Adds {@code commands}' functions under {@code scope}. */
    GogoShell add(String scope, Object commands, String... functions) {
        for (String f : functions) {
            processor.addCommand(scope, commands, f);
        }
        return this;
    }

    /** Runs one command line, {@code DIR} replaced by the test folder. */
    Object execute(String line) throws Exception {
        if (session == null) {
            session = processor.createSession(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new ByteArrayOutputStream());
        }
        return session.execute(line.replace("DIR", dir.toString().replace('\\', '/')));
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
        threadIO.stop();
    }
}
