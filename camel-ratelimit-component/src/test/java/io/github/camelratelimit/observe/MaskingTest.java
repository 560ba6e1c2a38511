package io.github.camelratelimit.observe;

import java.util.List;

import org.apache.camel.util.URISupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class MaskingTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // what URISupport.sanitizeUri leaves readable
            "https://h/x?sig=abc123|https://h/x?sig=xxxxxx",
            "https://h/x?X-Amz-Signature=abc123&X-Amz-Date=20260101|https://h/x?X-Amz-Signature=xxxxxx&X-Amz-Date=20260101",
            "https://h/x?key=abc123|https://h/x?key=xxxxxx",
            "https://h/x?api-key=abc123|https://h/x?api-key=xxxxxx",
            "https://h/x?x-api-key=abc123|https://h/x?x-api-key=xxxxxx",
            "https://h/x?auth=abc123|https://h/x?auth=xxxxxx",
            "https://h/x?authorization=Bearer%20abc123|https://h/x?authorization=xxxxxx",
            "https://h/x?signature=abc123|https://h/x?signature=xxxxxx",
            "https://h/x?jwt=abc123|https://h/x?jwt=xxxxxx",
            "https://h/x?session_id=abc123|https://h/x?session_id=xxxxxx",
            "https://h/x?code=abc123&state=s1|https://h/x?code=xxxxxx&state=s1",
            "https://ghp_abcdef@github.com/o/r|https://xxxxxx@github.com/o/r",
            // what it covers, kept covered
            "https://h/x?api_key=abc123|https://h/x?api_key=xxxxxx",
            "https://h/x?access_token=abc123&page=2|https://h/x?access_token=xxxxxx&page=2",
            "https://user:pw@h/x|https://user:xxxxxx@h/x",
            "https://h/x?password=RAW(se&cr)et)&a=1|https://h/x?password=xxxxxx&a=1",
            "https://h/x?token=RAW{a&b}|https://h/x?token=xxxxxx",
            "https://h/x?client_secret=s&clientId=app|https://h/x?client_secret=xxxxxx&clientId=app",
            // nothing secret: untouched
            "https://api.example.com:443/items?page=2&limiter=gh&maxRate=10|https://api.example.com:443/items?page=2&limiter=gh&maxRate=10",
    })
    void masksUriSecrets(String in, String expected) {
        assertEquals(expected, Masking.maskUri(in));
    }

    @Test
    void masksAtLeastWhatCamelSanitizeUriMasks() {
        List<String> corpus = List.of("http://h/x?password=a", "http://h/x?passphrase=a", "http://h/x?secretKey=a",
                "http://h/x?accessKey=a", "http://h/x?apiKey=a", "http://h/x?api_key=a", "http://h/x?token=a",
                "http://h/x?refresh_token=a", "http://h/x?clientSecret=a", "http://u:p@h/x",
                "http://h/x?authorizationToken=a", "http://h/x?sasSignature=a", "http://h/x?proxyPassword=a&x=1");
        for (String uri : corpus) {
            String camel = URISupport.sanitizeUri(uri);
            String ours = Masking.maskUri(uri);
            if (!camel.equals(uri)) {
                assertTrue(ours.contains(Masking.MASK), uri + " -> camel " + camel + ", ours " + ours);
                assertFalse(ours.contains("=a") || ours.contains(":p@"), ours);
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Authorization|Bearer eyJhbGciOi.x.y|Bearer xxxxxx",
            "authorization|Basic dXNlcjpwYXNz|Basic xxxxxx",
            "Proxy-Authorization|opaque|xxxxxx",
            "X-Api-Key|k-123|xxxxxx",
            "X-Auth-Token|t|xxxxxx",
            "Ocp-Apim-Subscription-Key|s|xxxxxx",
            "Cookie|SESSION=abc; theme=dark|xxxxxx",
            "Set-Cookie|id=1; HttpOnly|xxxxxx",
            "Retry-After|120|120",
            "Location|https://h/cb?code=c1&x=1|https://h/cb?code=xxxxxx&x=1",
    })
    void masksHeaderValues(String name, String value, String expected) {
        assertEquals(expected, Masking.maskHeader(name, value));
    }

    @Test
    void masksFreeTextOfExceptionMessages() {
        String msg = "HTTP operation failed invoking https://api.example.com/v1/items?api-key=K123&sig=S9 with"
                + " statusCode: 401, request headers {Authorization: Bearer abc.def, X-Api-Key: k-1},"
                + " body {\"access_token\":\"tok\",\"user\":\"ann\"} password=hunter2";
        String m = Masking.maskText(msg);
        for (String secret : List.of("K123", "S9", "abc.def", "k-1", "\"tok\"", "hunter2")) {
            assertFalse(m.contains(secret), secret + " leaked: " + m);
        }
        assertTrue(m.contains("statusCode: 401"), m);
        assertTrue(m.contains("Authorization: Bearer xxxxxx"), m);
        assertTrue(m.contains("\"user\":\"ann\""), m);
        assertTrue(m.contains("https://api.example.com/v1/items?"), m);
    }

    @Test
    void sensitiveNames() {
        for (String n : List.of("password", "X-Api-Key", "api_key", "apiKey", "access_token", "client-secret", "sig",
                "X-Amz-Signature", "AWSAccessKeyId", "jwt", "Authorization", "sessionid", "code", "subscription-key")) {
            assertTrue(Masking.isSensitiveName(n), n);
        }
        for (String n : List.of("page", "limiter", "maxRate", "status", "Retry-After", "X-RateLimit-Remaining",
                "Content-Type", "", "bridgeEndpoint")) {
            assertFalse(Masking.isSensitiveName(n), n);
        }
        assertFalse(Masking.isSensitiveName(null));
    }

    @Test
    void nullsAndHostileInputNeverThrowNorHang() {
        assertNull(Masking.maskText(null));
        assertNull(Masking.maskHeader("Authorization", null));
        assertEquals("", Masking.maskText(""));
        String many = "a=1&".repeat(1_000) + "token=" + "x".repeat(1_000);
        assertTrue(Masking.maskText(many).endsWith("&token=xxxxxx"));
        String huge = "a=".repeat(200_000) + "token=" + "x".repeat(100_000) + "&" + "RAW(".repeat(50_000);
        String out = assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> Masking.maskText(huge));
        assertTrue(out.length() < Masking.MAX_TEXT + 64, "cut to a bounded length");
        String raws = "p=RAW(" + "RAW(".repeat(3_000) + "&password=RAW(" + "(".repeat(5_000);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> Masking.maskText(raws));
        String parens = "(".repeat(100_000) + "Bearer " + "z".repeat(10_000);
        assertFalse(assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> Masking.maskText(parens))
                .contains("zzzz"));
    }
}
