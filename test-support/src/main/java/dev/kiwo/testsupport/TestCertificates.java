package dev.kiwo.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority and a broker certificate it signed, for 127.0.0.1 and localhost, made with
 * the JDK's own {@code keytool} binary: the broker's key store (PKCS12, CA chain included) and the CA
 * certificate as PEM, which clients trust. Valid for two days.
 *
 * @param brokerKeyStore   the broker's PKCS12 key store
 * @param keyStorePassword the password of the key store and its key
 * @param caCertificate    the CA certificate, PEM: what a client's truststore holds
 */
public record TestCertificates(Path brokerKeyStore, String keyStorePassword, Path caCertificate) {

    private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

    /** Makes the CA and the broker certificate in {@code dir}. */
    public static TestCertificates makeIn(Path dir) {
        String password = "kiwo-test-" + Long.toHexString(System.nanoTime());
        Path ca = dir.resolve("ca.p12");
        Path caPem = dir.resolve("ca.crt");
        Path broker = dir.resolve("broker.p12");
        Path request = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.crt");
        try {
            Files.createDirectories(dir);
            keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=kiwo test CA", "-ext", "bc:c", "-validity", "2",
                    "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", password);
            keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-file", caPem.toString(),
                    "-keystore", ca.toString(), "-storepass", password);
            keytool(dir, "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-validity", "2",
                    "-keystore", broker.toString(), "-storetype", "PKCS12", "-storepass", password);
            keytool(dir, "-certreq", "-alias", "broker", "-file", request.toString(),
                    "-keystore", broker.toString(), "-storepass", password);
            keytool(dir, "-gencert", "-rfc", "-alias", "ca", "-infile", request.toString(), "-outfile",
                    signed.toString(), "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                    "-keystore", ca.toString(), "-storepass", password);
            // The CA first, so the signed certificate imports as the broker key's chain.
            keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(),
                    "-keystore", broker.toString(), "-storepass", password);
            keytool(dir, "-importcert", "-alias", "broker", "-file", signed.toString(),
                    "-keystore", broker.toString(), "-storepass", password);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make test certificates in " + dir, e);
        }
        return new TestCertificates(broker, password, caPem);
    }

    private static void keytool(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Path log = dir.resolve("keytool.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " failed, see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
