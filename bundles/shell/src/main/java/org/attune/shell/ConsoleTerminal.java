package org.attune.shell;

import java.io.IOException;

import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Gives the Gogo console a real terminal (line editing, history, completion) instead of JLine's dumb one.
 *
 * <p>JLine 3.22+ finds its terminal providers (ffm, jni, exec ...) through the thread context class loader.
 * Inside OSGi that is the launcher's class loader, which cannot see the JLine bundle, so gogo.jline always ends up
 * with a dumb terminal. This component (started at start level 10, before gogo.jline at 30) builds the system
 * terminal with the JLine bundle's class loader as context loader and hands it to gogo.jline through
 * {@link TerminalBuilder#setTerminalOverride(Terminal)}. When stdin is not a terminal (pipes, CI), JLine still
 * builds a dumb terminal, so scripted stdin keeps working. In batch mode ({@code attune.commands}) it does nothing.
 */
@Component(service = {}, immediate = true)
public class ConsoleTerminal {

    private Terminal terminal;

    @Activate
    void activate(BundleContext context) {
        if (context.getProperty(BatchCommands.COMMANDS_PROPERTY) != null) {
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(TerminalBuilder.class.getClassLoader());
        try {
            // the same settings gogo.jline's Activator uses; dumb(true): fall back silently when stdin is no tty
            terminal = TerminalBuilder.builder()
                    .name("gogo")
                    .system(true)
                    .nativeSignals(true)
                    .signalHandler(Terminal.SignalHandler.SIG_IGN)
                    .dumb(true)
                    .build();
            TerminalBuilder.setTerminalOverride(terminal);
        } catch (IOException | RuntimeException e) {
            System.err.println("attune: no system terminal (" + e + "); the console uses a dumb terminal");
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Deactivate
    void deactivate() {
        if (terminal != null) {
            TerminalBuilder.setTerminalOverride(null);
            try {
                terminal.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            terminal = null;
        }
    }
}
