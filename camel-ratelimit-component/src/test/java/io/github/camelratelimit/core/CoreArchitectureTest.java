package io.github.camelratelimit.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core is framework-free: every source file under {@code io/github/camelratelimit/core} imports only
 * {@code java.*}, so it can be reused (and mirrored in a Redis script) without Camel, SLF4J or anything else.
 */
class CoreArchitectureTest {

    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.*]+)\\s*;");

    static Path coreSources() {
        String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
        return Paths.get(basedir, "src", "main", "java", "io", "github", "camelratelimit", "core");
    }

    @Test
    void coreImportsOnlyJava() throws IOException {
        Path dir = coreSources();
        assertTrue(Files.isDirectory(dir), "core sources not found at " + dir.toAbsolutePath());
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no .java files under " + dir);
        List<String> violations = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = IMPORT.matcher(lines.get(i));
                if (m.find() && !m.group(1).startsWith("java.")) {
                    violations.add(dir.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).trim());
                }
            }
        }
        assertTrue(violations.isEmpty(), "the core package may import only java.*; found:\n"
                + String.join("\n", violations));
    }

    @Test
    void theImportRuleCatchesWhatItShould() {
        assertTrue(IMPORT.matcher("import org.slf4j.Logger;").find());
        assertTrue(IMPORT.matcher("import static org.apache.camel.util.ObjectHelper.notNull;").find());
        assertTrue(IMPORT.matcher("  import javax.annotation.Nullable;").find());
        assertFalse(IMPORT.matcher(" * import org.slf4j.Logger in a comment").find());
        Matcher m = IMPORT.matcher("import javax.annotation.Nullable;");
        assertTrue(m.find());
        assertFalse(m.group(1).startsWith("java."), "javax is not java");
        Matcher ok = IMPORT.matcher("import java.util.*;");
        assertTrue(ok.find());
        assertTrue(ok.group(1).startsWith("java."));
    }
}
