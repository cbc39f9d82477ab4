package io.loomscale.module;

import io.loomscale.config.ConfigLoader;
import io.loomscale.config.FilterConfig;
import io.loomscale.filter.Filter;
import io.loomscale.filter.FilterModule;
import io.loomscale.filter.FilterSession;
import io.loomscale.protocol.PacketBuilder;
import io.loomscale.session.BackendConnection;
import io.loomscale.session.Downstream;
import io.loomscale.session.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Builds a third-party filter module as a separate jar (compiled here from source, against the
 * API on the test classpath only) and loads it through {@code libdir}, as an operator would drop
 * one in.
 */
class ModulesLibdirTest {
    private static final String SOURCE = """
            package ext;

            import io.loomscale.config.FilterConfig;
            import io.loomscale.filter.Filter;
            import io.loomscale.filter.FilterModule;
            import io.loomscale.protocol.PacketBuilder;

            public final class RewriteModule implements FilterModule {
                public String name() { return "exttest_rewrite"; }

                public Filter create(FilterConfig config) {
                    String from = config.params().string("from", "SELECT 1");
                    String to = config.params().string("to", "SELECT 2");
                    config.params().rejectUnknown(java.util.Set.of("from", "to"));
                    return ctx -> (st, next) -> {
                        if (from.equalsIgnoreCase(st.sql())) {
                            st.packet(new PacketBuilder().int1(3).string(to).build(0));
                        }
                        next.route(st);
                    };
                }
            }
            """;

    static Path buildModuleJar(Path dir) throws IOException {
        Path src = dir.resolve("src/ext/RewriteModule.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                src.toString());
        assertEquals(0, rc, "the module compiles");
        Path lib = dir.resolve("lib");
        Files.createDirectories(lib);
        Path jar = lib.resolve("exttest-rewrite.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("ext/RewriteModule.class"));
            out.write(Files.readAllBytes(classes.resolve("ext/RewriteModule.class")));
            out.closeEntry();
            out.putNextEntry(new JarEntry("META-INF/services/" + FilterModule.class.getName()));
            out.write("ext.RewriteModule\n".getBytes());
            out.closeEntry();
        }
        return lib;
    }

    @Test
    void filterModuleDroppedIntoLibdirIsFoundAndWorks(@TempDir Path tmp) throws IOException {
        Path lib = buildModuleJar(tmp);
        assertNull(Modules.load(tmp.resolve("empty")).filter("exttest_rewrite"), "not built in");
        Modules modules = Modules.load(lib);
        FilterModule m = modules.filter("EXTTEST_REWRITE");
        assertNotNull(m, "found by name, case-insensitively");
        assertTrue(m.getClass().getClassLoader() != Modules.class.getClassLoader(), "loaded from the libdir jar");

        FilterConfig cfg = ConfigLoader.parse("""
                [filter.rw]
                module = "exttest_rewrite"
                from = "select 1"
                to = "SELECT 42"
                """, "t.toml").filters().get("rw");
        Filter f = m.create(cfg);
        FilterSession s = f.newSession(null);
        List<String> routed = new ArrayList<>();
        Downstream sink = new Downstream() {
            @Override
            public void route(Statement st) {
                routed.add(st.sql());
            }

            @Override
            public boolean handleError(BackendConnection b, IOException c) {
                return false;
            }

            @Override
            public List<BackendConnection> backends() {
                return List.of();
            }

            @Override
            public void close() {
            }
        };
        s.onStatement(new Statement(new PacketBuilder().int1(3).string("SELECT 1").build(0)), sink);
        s.onStatement(new Statement(new PacketBuilder().int1(3).string("SELECT 3").build(0)), sink);
        assertEquals(List.of("SELECT 42", "SELECT 3"), routed);
    }

    @Test
    void builtInModulesAreRegistered() {
        Modules m = Modules.load(null);
        assertNotNull(m.router("readconnroute"));
        assertNotNull(m.authenticator("MySQLAuth"));
        assertNotNull(m.authenticator("MariaDBAuth"));
    }

}
