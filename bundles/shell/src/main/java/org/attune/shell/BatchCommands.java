package org.attune.shell;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.felix.gogo.runtime.Parser;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Batch mode of the container: {@code ./attune -c "cmd1; cmd2"}.
 *
 * <p>The launcher script passes the commands as the system property {@value #COMMANDS_PROPERTY} (and
 * {@code gosh.args=--nointeractive}, so the Gogo console neither reads stdin nor stops the framework). When the
 * property is set, this component registers a {@code Callable<Integer>} service with {@code main.thread=true}.
 * The bnd launcher of the exported jar calls such a service on its main thread and, when it returns, stops the
 * framework and exits the JVM with the returned value. The callable waits until the framework has reached its
 * final start level (every run bundle, the Gogo commands included, is started), then runs the commands one by
 * one through a {@link CommandSession}, printing each result like gosh does. At the first exception it prints
 * {@code error: <message>} to stderr and returns 1; otherwise 0. Without the property the component does nothing.
 *
 * <p>Commands are split at top-level {@code ;} and newlines with Gogo's own parser, so quoted strings and closures
 * ({@code each [1 2] { echo $it; echo x }}) stay intact. A program using {@code &&}, {@code ||} or {@code &}
 * is run as a single unit.
 */
@Component(service = {}, immediate = true)
public class BatchCommands implements Callable<Integer>, FrameworkListener {

    public static final String COMMANDS_PROPERTY = "attune.commands";
    /** Seconds to wait for the framework to reach its final start level before running anyway. */
    public static final String TIMEOUT_PROPERTY = "attune.commands.timeout";

    @Reference
    private CommandProcessor processor;

    private static final String PRELUDE = "SCOPE = 'gogo:*'\n"
            + "addcommand context ${.context}\n"
            + "addcommand system (((${.context} getClass) getClassLoader) loadClass java.lang.System)\n";

    private final CountDownLatch started = new CountDownLatch(1);
    private BundleContext context;
    private String commands;
    private ServiceRegistration<?> registration;

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        this.commands = context.getProperty(COMMANDS_PROPERTY);
        if (commands == null) {
            return;
        }
        context.addFrameworkListener(this);
        checkStarted(true);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("main.thread", Boolean.TRUE);
        props.put(Constants.SERVICE_DESCRIPTION, "Attune batch commands (" + COMMANDS_PROPERTY + ")");
        registration = context.registerService(Callable.class.getName(), this, props);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // framework stopping
            }
            registration = null;
        }
        if (commands != null) {
            context.removeFrameworkListener(this);
        }
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.STARTED || event.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
            checkStarted(false);
        }
    }

    /**
     * The bnd launcher starts the framework at start level 1 and raises it to the highest bundle start level
     * afterwards (STARTLEVEL_CHANGED, not STARTED). We are done when the active level covers every bundle.
     */
    private void checkStarted(boolean initial) {
        FrameworkStartLevel fsl = context.getBundle(0).adapt(FrameworkStartLevel.class);
        int max = 1;
        for (Bundle b : context.getBundles()) {
            BundleStartLevel bsl = b.adapt(BundleStartLevel.class);
            if (bsl != null) {
                max = Math.max(max, bsl.getStartLevel());
            }
            if (initial && b.getState() == Bundle.STARTING) {
                return; // a start level change is still in progress; wait for its event
            }
        }
        if (fsl.getStartLevel() >= max) {
            started.countDown();
        }
    }

    /** Called by the bnd launcher on the JVM's main thread; the return value becomes the exit code. */
    @Override
    public Integer call() throws Exception {
        long timeout = Long.parseLong(String.valueOf(firstNonNull(context.getProperty(TIMEOUT_PROPERTY), "120")));
        if (!started.await(timeout, TimeUnit.SECONDS)) {
            err().println("warning: framework not fully started after " + timeout + " s; running the commands anyway");
        }
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, Charset.defaultCharset());
        PrintStream err = err();
        CommandSession session = processor.createSession(new FileInputStream(FileDescriptor.in), out, err);
        try {
            // what gogo.jline's gosh_profile does for the interactive console, so both see the same commands
            // (bundle, bundles, getProperty ...); the console runs it on its own thread, which may not be done yet
            try {
                session.execute(PRELUDE);
            } catch (Exception e) {
                err.println("warning: " + e.getMessage());
            }
            for (String command : split(commands)) {
                try {
                    Object result = session.execute(command);
                    if (result != null) {
                        out.println(session.format(result, Converter.INSPECT));
                    }
                } catch (Exception e) {
                    String message = e.getMessage() != null ? e.getMessage() : e.toString();
                    err.println("error: " + message.replace('\n', ' '));
                    return 1;
                } finally {
                    out.flush();
                }
            }
            return 0;
        } finally {
            session.close();
        }
    }

    static List<String> split(String program) {
        List<String> result = new ArrayList<>();
        try {
            Parser.Program parsed = new Parser(program).program();
            for (Parser.Executable ex : parsed.tokens()) {
                if (ex instanceof Parser.Operator) {
                    String op = ex.toString();
                    if (!op.equals(";") && !op.equals("\n")) {
                        return List.of(program); // && || & : let Gogo evaluate the whole program
                    }
                } else if (!ex.toString().isBlank()) {
                    result.add(ex.toString());
                }
            }
            return result;
        } catch (RuntimeException syntaxError) {
            return List.of(program); // Gogo reports the syntax error itself
        }
    }

    private static PrintStream err() {
        return new PrintStream(new FileOutputStream(FileDescriptor.err), true, Charset.defaultCharset());
    }

    private static Object firstNonNull(Object a, Object b) {
        return a != null ? a : b;
    }
}
