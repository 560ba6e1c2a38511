package io.github.camelratelimit.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away {@code redis-server} on a free loopback port, for tests and the benchmark: no persistence
 * ({@code --save "" --appendonly no}), bound to 127.0.0.1, ready once it answers PING. {@link #stop()} and
 * {@link #start()} may be called again (same port) to simulate an outage.
 */
public final class RedisServer implements AutoCloseable {

    private final String binary;
    private final int port;
    private final Path dir;
    private Process process;

    private RedisServer(String binary, int port, Path dir) {
        this.binary = binary;
        this.port = port;
        this.dir = dir;
    }

    /** The redis-server binary: on PATH, or /usr/bin/redis-server; null when neither exists. */
    public static String findBinary() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                File f = new File(d, "redis-server");
                if (f.isFile() && f.canExecute()) {
                    return f.getPath();
                }
            }
        }
        File f = new File("/usr/bin/redis-server");
        return f.isFile() && f.canExecute() ? f.getPath() : null;
    }

    /** Starts a server on a free port; throws when the binary is missing or the server does not come up. */
    public static RedisServer startNew() throws IOException, InterruptedException {
        String bin = findBinary();
        if (bin == null) {
            throw new IOException("redis-server not found on PATH nor at /usr/bin/redis-server");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RedisServer r = new RedisServer(bin, port, Files.createTempDirectory("redis-test"));
        r.start();
        return r;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the process (again) on the same port and waits until it answers PING (at most 10 s). */
    public synchronized void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(binary, "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "no"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile());
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ping()) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("redis.log")));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("redis-server on port " + port + " did not answer PING within 10 s");
            }
            Thread.sleep(10);
        }
    }

    /** Kills the process (SIGKILL: an abrupt outage) and waits for it to exit. */
    public synchronized void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** One PING over a plain socket: true on +PONG. */
    public boolean ping() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[7];
            int n = in.readNBytes(buf, 0, 7);
            return n == 7 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        try (var files = Files.list(dir)) {
            files.forEach(p -> p.toFile().delete());
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
