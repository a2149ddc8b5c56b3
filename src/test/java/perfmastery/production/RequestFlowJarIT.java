package perfmastery.production;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

/** The benchmarks jar carries the embedded database: sqlite-jdbc's driver and its Linux native library. */
class RequestFlowJarIT {

    @Test
    void theJarCarriesSqliteAndItsNativeLibrary() throws Exception {
        String jar = System.getProperty("benchmarksJar");
        assertNotNull(jar, "failsafe sets benchmarksJar");
        try (JarFile file = new JarFile(Path.of(jar).toFile())) {
            assertNotNull(file.getEntry("org/sqlite/JDBC.class"), "the driver");
            assertNotNull(file.getEntry("org/sqlite/native/Linux/x86_64/libsqlitejdbc.so"), "its native library");
            assertNotNull(file.getEntry("META-INF/services/java.sql.Driver"), "its driver registration");
            assertNotNull(file.getEntry("perfmastery/production/RequestFlowServer.class"));
        }
    }
}
