package io.github.camelratelimit.observe;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text the component writes: log values, exception messages, URIs and header values. Every
 * secret value is replaced by {@value #MASK} (Camel's own mask); names, hosts and paths stay readable.
 *
 * <p>What is masked:
 * <ul>
 * <li>a password or token in a URI's user info: {@code https://user:pw@host} and {@code https://TOKEN@host}
 * <li>{@code name=value} pairs (query strings, Camel endpoint options including {@code RAW(...)} values, form
 * bodies, {@code key=value} text) and {@code name: value} / {@code "name":"value"} pairs whose name
 * {@linkplain #isSensitiveName(String) looks sensitive}
 * <li>credentials after an HTTP auth scheme: {@code Bearer ...}, {@code Basic ...}, {@code Digest ...},
 * {@code Negotiate ...} (the scheme word stays)
 * <li>header values of {@code Authorization}, {@code Proxy-Authorization}, {@code Cookie}, {@code Set-Cookie}
 * and any header whose name looks sensitive ({@code X-Api-Key}, {@code X-Auth-Token}, ...)
 * </ul>
 * It covers what Camel's {@code URISupport.sanitizeUri} masks and its gaps: {@code sig=}, {@code signature=},
 * {@code X-Amz-Signature=}, {@code key=}, {@code api-key=}, {@code x-api-key=}, {@code auth=},
 * {@code authorization=}, {@code jwt=}, {@code session_id=}, {@code code=} (OAuth), bare-token user info.
 *
 * <p>Errs on the side of masking: a harmless value under a name such as {@code monkey} is masked too.
 * Never throws; {@code null} stays {@code null}. Thread-safe (stateless).
 */
public final class Masking {

    /** What a secret value becomes. */
    public static final String MASK = "xxxxxx";
    /** Longer text is cut to this many characters (then masked), so hostile input costs bounded work. */
    public static final int MAX_TEXT = 16_384;

    /** Normalised names (lower case, no '-', '_', '.') that are secret when equal. */
    private static final Set<String> EXACT = Set.of("key", "sig", "code", "auth", "jwt", "pin", "otp", "pwd", "pass",
            "hmac", "nonce", "sid", "ticket", "csrf", "xsrf");
    /** Normalised fragments that make a name secret wherever they occur. */
    private static final List<String> FRAGMENTS = List.of("password", "passwd", "passphrase", "secret", "token",
            "apikey", "accesskey", "signature", "credential", "authorization", "authentication", "cookie", "session",
            "privatekey", "bearer", "auth", "apitoken", "subscriptionkey");
    /** Auth schemes whose credentials follow a space. */
    private static final Pattern AUTH_SCHEME = Pattern.compile(
            "(?i)\\b(Bearer|Basic|Digest|Negotiate|NTLM|AWS4-HMAC-SHA256|SharedKey)(\\s+)([^\\s\"',;]+(?:,\\s*[A-Za-z]+=[^\\s\"',;]+)*)");
    /** scheme://userinfo@ (userinfo without '/', '?', '#', '@' or spaces). */
    private static final Pattern USER_INFO = Pattern.compile(
            "\\b([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@\\s\"'<>]*)@");
    /** name=value with a RAW(...)/RAW{...} or plain value; the name starts after a separator. */
    private static final Pattern PAIR = Pattern.compile(
            "(^|[?&;\\s,{(\\[\"'])([A-Za-z0-9_.\\-]+)=(RAW\\((?:[^)]|\\)(?![&#\\s\"']|$)){0,1024}\\)"
                    + "|RAW\\{(?:[^}]|\\}(?![&#\\s\"']|$)){0,1024}\\}|[^&;\\s,}\\])\"'#]*)");
    /** "name": "value" (JSON). */
    private static final Pattern JSON_PAIR = Pattern.compile("\"([A-Za-z0-9_.\\-]+)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** name: value (header-like text); a space after the colon keeps scheme:// and host:port out. */
    private static final Pattern COLON_PAIR = Pattern.compile("(^|[\\s,{(\\[;])([A-Za-z][A-Za-z0-9_\\-]*)(\\s*:\\s+)([^\\s,;\"')}\\]]+)");

    private Masking() {
    }

    /**
     * True when a parameter or header name names a secret: after lower-casing and dropping {@code -}, {@code _}
     * and {@code .}, it equals one of {@code key, sig, code, auth, jwt, pin, otp, pwd, pass, hmac, nonce, sid,
     * ticket, csrf, xsrf}, ends with {@code key} or {@code pwd}, or contains one of {@code password, passwd,
     * passphrase, secret, token, apikey, accesskey, signature, credential, authorization, authentication, cookie,
     * session, privatekey, bearer, auth}.
     */
    public static boolean isSensitiveName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '-' && c != '_' && c != '.') {
                b.append(Character.toLowerCase(c));
            }
        }
        String n = b.toString();
        if (EXACT.contains(n) || n.endsWith("key") || n.endsWith("pwd")) {
            return true;
        }
        for (String f : FRAGMENTS) {
            if (n.contains(f)) {
                return true;
            }
        }
        return false;
    }

    /** Masks a URI (endpoint URI, request URL): user info and sensitive parameters. Same rules as {@link #maskText}. */
    public static String maskUri(String uri) {
        return maskText(uri);
    }

    /**
     * Masks free text (an exception message, a log value): URI user info, auth-scheme credentials and
     * sensitive {@code name=value}, {@code name: value} and {@code "name":"value"} pairs.
     */
    public static String maskText(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        if (text.length() > MAX_TEXT) {
            // bounded work for hostile input: a log value needs no more
            return maskText(text.substring(0, MAX_TEXT)) + "...(" + (text.length() - MAX_TEXT) + " more chars)";
        }
        try {
            String s = replace(AUTH_SCHEME, text, m -> m.group(1) + m.group(2) + MASK);
            s = replace(USER_INFO, s, m -> m.group(1) + maskUserInfo(m.group(2)) + "@");
            s = replace(PAIR, s, m -> isSensitiveName(m.group(2)) && !m.group(3).isEmpty()
                    ? m.group(1) + m.group(2) + "=" + MASK : m.group());
            s = replace(JSON_PAIR, s, m -> isSensitiveName(m.group(1))
                    ? "\"" + m.group(1) + "\":\"" + MASK + "\"" : m.group());
            s = replace(COLON_PAIR, s, m -> isSensitiveName(m.group(2)) && !MASK.equals(m.group(4))
                    && !isAuthScheme(m.group(4)) ? m.group(1) + m.group(2) + m.group(3) + MASK : m.group());
            return s;
        } catch (RuntimeException | StackOverflowError e) {
            // hostile input must never break logging: fall back to hiding it all
            return MASK;
        }
    }

    /**
     * Masks one header value for logging: the credentials of {@code Authorization} and
     * {@code Proxy-Authorization} (the scheme word stays), the whole value of cookie headers and of headers whose
     * name {@linkplain #isSensitiveName looks sensitive}, and {@link #maskText} for any other header.
     */
    public static String maskHeader(String name, Object value) {
        if (value == null) {
            return null;
        }
        String v = String.valueOf(value);
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (n.equals("authorization") || n.equals("proxy-authorization")) {
            int sp = v.trim().indexOf(' ');
            return sp > 0 ? v.trim().substring(0, sp) + " " + MASK : MASK;
        }
        if (isSensitiveName(name)) {
            return MASK;
        }
        return maskText(v);
    }

    private static boolean isAuthScheme(String v) {
        return AUTH_SCHEME.matcher(v + " x").lookingAt();
    }

    /** {@code user:pw} keeps the user; a bare {@code token} (no colon) is masked whole. */
    private static String maskUserInfo(String userInfo) {
        if (userInfo.isEmpty()) {
            return userInfo;
        }
        int colon = userInfo.indexOf(':');
        return colon >= 0 ? userInfo.substring(0, colon + 1) + MASK : MASK;
    }

    private interface Replacer {
        String apply(Matcher m);
    }

    private static String replace(Pattern p, String s, Replacer r) {
        Matcher m = p.matcher(s);
        if (!m.find()) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int last = 0;
        do {
            out.append(s, last, m.start()).append(r.apply(m));
            last = m.end();
        } while (m.find());
        return out.append(s, last, s.length()).toString();
    }
}
