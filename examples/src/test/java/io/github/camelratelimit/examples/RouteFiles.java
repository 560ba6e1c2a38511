package io.github.camelratelimit.examples;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * Starts camel-main on exactly one file of {@code routes/} (copied to the test classpath as {@code routes/}), with
 * the given properties only: no application.properties, no beans, no Java routes. What a user gets who copies the
 * file and sets the properties its header names.
 */
final class RouteFiles {

    private RouteFiles() {
    }

    /** The files in {@code routes/}, sorted by name. */
    static List<String> names() throws IOException, URISyntaxException {
        URL dir = RouteFiles.class.getClassLoader().getResource("routes");
        if (dir == null || !"file".equals(dir.getProtocol())) {
            throw new IllegalStateException("routes/ is not a folder on the test classpath: " + dir);
        }
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") || n.endsWith(".yml"))
                    .sorted().toList();
        }
    }

    /** The text of one route file. */
    static String text(String name) throws IOException, URISyntaxException {
        URL url = RouteFiles.class.getClassLoader().getResource("routes/" + name);
        return Files.readString(Path.of(url.toURI()));
    }

    /**
     * Starts camel-main with only {@code routes/<file>} and the properties; {@code beforeStart} runs once the
     * context is configured and before it starts (so a timer that fires at once cannot be missed).
     */
    static Main start(String file, Map<String, String> properties, Consumer<CamelContext> beforeStart) throws Exception {
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation("false"); // not the demo's application.properties
        main.addInitialProperty("camel.main.name", "routes-" + file);
        main.addInitialProperty("camel.main.routes-include-pattern", "classpath:routes/" + file);
        properties.forEach(main::addInitialProperty);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                beforeStart.accept(m.getCamelContext());
            }
        });
        main.start();
        return main;
    }
}
