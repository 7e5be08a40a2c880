package dev.kiwo.launcher;

import java.util.Arrays;

/** kiwo's four services: the module that builds each, and the ports local mode gives it. */
public enum App {
    API("api", "api-service", 8080, 8180),
    CLASSIFIER("classifier", "classifier-service", 8081, 8081),
    WORKER_LIGHT("worker-light", "worker-light", 8082, 8082),
    WORKER_HEAVY("worker-heavy", "worker-heavy", 8083, 8083);

    private final String id;
    private final String module;
    private final int localPort;
    private final int localManagementPort;

    App(String id, String module, int localPort, int localManagementPort) {
        this.id = id;
        this.module = module;
        this.localPort = localPort;
        this.localManagementPort = localManagementPort;
    }

    /** The short name local mode's logs, pid files and commands use. */
    public String id() {
        return id;
    }

    public String module() {
        return module;
    }

    public int localPort() {
        return localPort;
    }

    /** The actuator's port in local mode: the API serves it on a port of its own, the others on their one port. */
    public int localManagementPort() {
        return localManagementPort;
    }

    /** Whether the actuator has a port of its own ({@code management.server.port}): the API's only. */
    public boolean ownManagementPort() {
        return localManagementPort != localPort;
    }

    public static App ofId(String id) {
        return Arrays.stream(values()).filter(a -> a.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service named " + id));
    }

    public static App ofModule(String module) {
        return Arrays.stream(values()).filter(a -> a.module.equals(module)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no kiwo service is built by module " + module));
    }
}
