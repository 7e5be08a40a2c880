package dev.kiwo.kafka;

import java.util.Collection;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Where and as whom a service connects to Kafka, as far as it may be logged: bootstrap servers, security
 * protocol, SASL mechanism and user. The password in {@code sasl.jaas.config} is never read out.
 *
 * @param bootstrapServers the configured bootstrap servers
 * @param securityProtocol {@code security.protocol}, PLAINTEXT when unset
 * @param saslMechanism    {@code sasl.mechanism} when the protocol uses SASL, else null
 * @param user             the {@code username} of {@code sasl.jaas.config} when the protocol uses SASL, else null
 */
public record KafkaConnection(String bootstrapServers, String securityProtocol, String saslMechanism, String user) {

    private static final Pattern USERNAME = Pattern.compile("\\busername\\s*=\\s*\"([^\"]*)\"");

    /** Reads the connection from a Kafka client configuration, such as the admin client's. */
    public static KafkaConnection of(Map<String, Object> config) {
        String protocol = text(config.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG), "PLAINTEXT");
        boolean sasl = protocol.toUpperCase(java.util.Locale.ROOT).startsWith("SASL_");
        return new KafkaConnection(bootstrapServers(config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)),
                protocol,
                sasl ? text(config.get(SaslConfigs.SASL_MECHANISM), SaslConfigs.DEFAULT_SASL_MECHANISM) : null,
                sasl ? user(config.get(SaslConfigs.SASL_JAAS_CONFIG)) : null);
    }

    /** Whether the connection is encrypted, so a TLS handshake is part of connecting. */
    public boolean usesTls() {
        return securityProtocol.equalsIgnoreCase(SecurityProtocol.SSL.name)
                || securityProtocol.equalsIgnoreCase(SecurityProtocol.SASL_SSL.name);
    }

    /** One line for logs and errors: {@code bootstrap servers a:9093 (security.protocol=SASL_SSL, ...)}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("bootstrap servers ").append(bootstrapServers)
                .append(" (security.protocol=").append(securityProtocol);
        if (saslMechanism != null) {
            text.append(", sasl.mechanism=").append(saslMechanism)
                    .append(", user=").append(user == null ? "(none in sasl.jaas.config)" : user);
        }
        return text.append(')').toString();
    }

    private static String bootstrapServers(Object value) {
        if (value instanceof Collection<?> servers) {
            return String.join(",", servers.stream().map(String::valueOf).toList());
        }
        return text(value, "(none)");
    }

    private static String user(Object jaasConfig) {
        if (jaasConfig == null) {
            return null;
        }
        // The JAAS value may be a Kafka Password, whose toString() hides it; only its username is wanted here.
        String jaas = jaasConfig instanceof org.apache.kafka.common.config.types.Password password
                ? password.value() : jaasConfig.toString();
        Matcher matcher = USERNAME.matcher(jaas);
        return matcher.find() ? matcher.group(1) : null;
    }

    private static String text(Object value, String fallback) {
        return value == null || value.toString().isBlank() ? fallback : value.toString().trim();
    }
}
