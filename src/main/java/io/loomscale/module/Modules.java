package io.loomscale.module;

import io.loomscale.filter.FilterModule;
import io.loomscale.monitor.MonitorModule;
import io.loomscale.router.RouterModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The module registry: every router, filter, monitor and authenticator module found through
 * {@link ServiceLoader} in LoomScale's own jar and in the jars of {@code [loomscale] libdir}
 * (MaxScale's name for its module directory), so a third-party module is dropped in without
 * rebuilding LoomScale. Names are case-insensitive. Built once at startup; immutable after.
 */
public final class Modules {
    private static final Logger log = LoggerFactory.getLogger(Modules.class);

    private final Map<String, RouterModule> routers = new TreeMap<>();
    private final Map<String, FilterModule> filters = new TreeMap<>();
    private final Map<String, MonitorModule> monitors = new TreeMap<>();
    private final Map<String, AuthenticatorModule> authenticators = new TreeMap<>();

    private Modules(ClassLoader loader) {
        register(loader, RouterModule.class, routers, RouterModule::name, RouterModule::aliases);
        register(loader, FilterModule.class, filters, FilterModule::name, m -> Set.of());
        register(loader, MonitorModule.class, monitors, MonitorModule::name, MonitorModule::aliases);
        register(loader, AuthenticatorModule.class, authenticators, AuthenticatorModule::name, AuthenticatorModule::aliases);
    }

    /** Loads the built-in modules and those in the jars of {@code libdir} (which may not exist). */
    public static Modules load(Path libdir) {
        ClassLoader parent = Modules.class.getClassLoader();
        List<URL> jars = new ArrayList<>();
        if (libdir != null && Files.isDirectory(libdir)) {
            try (Stream<Path> s = Files.list(libdir)) {
                for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".jar")).sorted()::iterator) {
                    jars.add(p.toUri().toURL());
                }
            } catch (MalformedURLException e) {
                throw new IllegalStateException(e);
            } catch (IOException e) {
                log.warn("cannot list libdir {}: {}", libdir, e.getMessage());
            }
        }
        ClassLoader loader = jars.isEmpty() ? parent : new URLClassLoader(jars.toArray(new URL[0]), parent);
        if (!jars.isEmpty()) {
            log.info("loading modules from {}: {}", libdir, jars);
        }
        return new Modules(loader);
    }

    private static <T> void register(ClassLoader loader, Class<T> type, Map<String, T> into,
            Function<T, String> name, Function<T, Set<String>> aliases) {
        for (T m : ServiceLoader.load(type, loader)) {
            into.put(name.apply(m).toLowerCase(Locale.ROOT), m);
            for (String a : aliases.apply(m)) {
                into.putIfAbsent(a.toLowerCase(Locale.ROOT), m);
            }
        }
    }

    public RouterModule router(String name) {
        return routers.get(name.toLowerCase(Locale.ROOT));
    }

    public FilterModule filter(String name) {
        return filters.get(name.toLowerCase(Locale.ROOT));
    }

    public MonitorModule monitor(String name) {
        return monitors.get(name.toLowerCase(Locale.ROOT));
    }

    public AuthenticatorModule authenticator(String name) {
        return authenticators.get(name.toLowerCase(Locale.ROOT));
    }

    public Set<String> routerNames() {
        return routers.keySet();
    }

    public Set<String> filterNames() {
        return filters.keySet();
    }

    public Set<String> monitorNames() {
        return monitors.keySet();
    }

    public Set<String> authenticatorNames() {
        return authenticators.keySet();
    }
}
