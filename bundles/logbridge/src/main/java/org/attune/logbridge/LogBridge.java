package org.attune.logbridge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogManager;

import org.osgi.framework.Bundle;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Forwards every OSGi Log Service entry to SLF4J (logback in the Attune container), and routes
 * {@code java.util.logging} to SLF4J while active.
 *
 * <p>At activation it replays the entries already recorded by the log service, oldest first
 * ({@link LogReaderService#getLog()} returns the newest first), then listens for new ones.
 * Entries are logged under the entry's logger name (for R7 {@code Logger}s: the name the bundle asked for;
 * for legacy {@code LogService} calls: "LogService.&lt;bsn&gt;"; for framework events: "Events.*"); entries
 * under the root logger ("ROOT", e.g. SCR's) are logged under the bundle's symbolic name.
 * The framework property {@code org.osgi.service.log.admin.loglevel=INFO} must be set, otherwise INFO
 * entries are never created by the log service (its default is WARN).
 */
@Component(immediate = true)
public final class LogBridge implements LogListener {

    @Reference
    private LogReaderService reader;

    private volatile List<Handler> removedJulHandlers = List.of();

    @Activate
    void activate() {
        installJul();
        List<LogEntry> past = new ArrayList<>();
        for (Enumeration<LogEntry> e = reader.getLog(); e.hasMoreElements();) {
            past.add(e.nextElement());
        }
        Collections.reverse(past); // oldest first
        for (LogEntry entry : past) {
            logged(entry);
        }
        // entries logged between getLog() and addLogListener() may be lost; the window is tiny and harmless
        reader.addLogListener(this);
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
        uninstallJul();
    }

    @Override
    public void logged(LogEntry entry) {
        String name = entry.getLoggerName();
        if (name == null || name.isEmpty() || "ROOT".equals(name)) {
            // e.g. SCR logs under "ROOT": name it after the bundle so logback.xml can filter it (org.apache.felix)
            Bundle b = entry.getBundle();
            name = b != null && b.getSymbolicName() != null ? b.getSymbolicName() : "osgi.log";
        }
        Logger log = LoggerFactory.getLogger(name);
        String msg = entry.getMessage();
        Throwable t = entry.getException();
        switch (entry.getLogLevel()) {
            case ERROR -> log.error(msg, t);
            case AUDIT, WARN -> log.warn(msg, t); // AUDIT: "always log" - WARN passes the WARN-level loggers too
            case INFO -> log.info(msg, t);
            case DEBUG -> log.debug(msg, t);
            case TRACE -> log.trace(msg, t);
        }
    }

    private void installJul() {
        if (SLF4JBridgeHandler.isInstalled()) {
            return;
        }
        java.util.logging.Logger root = LogManager.getLogManager().getLogger("");
        List<Handler> removed = new ArrayList<>(List.of(root.getHandlers()));
        for (Handler h : removed) {
            root.removeHandler(h);
        }
        removedJulHandlers = removed;
        SLF4JBridgeHandler.install();
    }

    private void uninstallJul() {
        SLF4JBridgeHandler.uninstall();
        java.util.logging.Logger root = LogManager.getLogManager().getLogger("");
        for (Handler h : removedJulHandlers) {
            root.addHandler(h);
        }
        removedJulHandlers = List.of();
    }
}
