package dev.kiwo.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the keys file of mode {@code api-key}: every way it can be unusable fails start-up with a clear message. */
class ApiKeysTest {

    @TempDir
    Path dir;

    @Test
    void findsTheTenantOfEachKeyAndNoneForOthers() throws Exception {
        ApiKeys keys = ApiKeys.load(write("# comment\nacme=acme-key-0123456789\n\n  globex=globex-key-0123456789  \n"
                + "acme=acme-key-rotated-0123456789\n"));

        assertThat(keys.tenantOf("acme-key-0123456789")).hasValue("acme");
        assertThat(keys.tenantOf("acme-key-rotated-0123456789")).hasValue("acme");
        assertThat(keys.tenantOf("globex-key-0123456789")).hasValue("globex");
        assertThat(keys.tenantOf("acme-key-012345678")).isEmpty();
        assertThat(keys.tenantOf("")).isEmpty();
        assertThat(keys.size()).isEqualTo(3);
        assertThat(keys.tenants()).isEqualTo(2);
    }

    @Test
    void aKeyMayHoldAnEqualsSign() throws Exception {
        assertThat(ApiKeys.load(write("acme=abc=def=0123456789abcdef\n")).tenantOf("abc=def=0123456789abcdef"))
                .hasValue("acme");
    }

    @Test
    void aMissingFileFailsNamingIt() {
        Path missing = dir.resolve("missing");

        assertThatThrownBy(() -> ApiKeys.load(missing))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("kiwo.api.auth.api-keys-file " + missing + " could not be read");
    }

    @Test
    void aFileWithoutKeysFails() throws Exception {
        Path empty = write("# no keys yet\n\n");

        assertThatThrownBy(() -> ApiKeys.load(empty)).hasMessageContaining("holds no keys");
    }

    @Test
    void badLinesFailNamingTheLine() throws Exception {
        assertThatThrownBy(() -> ApiKeys.load(write("acme=acme-key-0123456789\nno-separator\n")))
                .hasMessageContaining("line 2: expected tenant=key");
        assertThatThrownBy(() -> ApiKeys.load(write("acme=short\n")))
                .hasMessageContaining("line 1: the key must be at least 16 visible ASCII characters");
        assertThatThrownBy(() -> ApiKeys.load(write("=acme-key-0123456789\n")))
                .hasMessageContaining("line 1: the tenant must be 1 to 128 visible ASCII characters");
        assertThatThrownBy(() -> ApiKeys.load(write("default=default-key-0123456789\n")))
                .as("reserved for jobs without a tenant, which no authenticated client may read")
                .hasMessageContaining("line 1: the tenant must be 1 to 128 visible ASCII characters other than 'default'");
        assertThatThrownBy(() -> ApiKeys.load(write("acme=same-key-0123456789\nglobex=same-key-0123456789\n")))
                .hasMessageContaining("line 2: the key is already given to a tenant");
    }

    private Path write(String content) throws Exception {
        Path file = Files.createTempFile(dir, "keys", ".txt");
        Files.writeString(file, content);
        return file;
    }
}
