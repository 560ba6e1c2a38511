package io.github.camelratelimit.core;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses HTTP Structured Field values (RFC 9651, which obsoletes RFC 8941): Lists and Dictionaries of Items
 * and Inner Lists, with Parameters. Strict, as the RFC requires: any syntax error fails the whole field, which
 * the caller then ignores. Used by {@link QuotaHeaderParser} for {@code RateLimit} and {@code RateLimit-Policy}.
 *
 * <p>Bare items become: Integer &rarr; {@link Long}, Decimal &rarr; {@link BigDecimal}, String &rarr;
 * {@link String}, Token &rarr; {@link Token}, Byte Sequence &rarr; {@link ByteSequence} (kept as base64 text,
 * not decoded), Boolean &rarr; {@link Boolean}, Date &rarr; {@link SfDate}, Display String &rarr;
 * {@link DisplayString} (kept percent-encoded). A parameter or dictionary key without a value is
 * {@link Boolean#TRUE}; a repeated key keeps its first position and its last value.
 *
 * <p>Bounded work: input over {@link #MAX_LENGTH} characters or with more than {@link #MAX_MEMBERS} members
 * (or parameters per item) is rejected, so hostile headers cannot cost more than a linear scan.
 * Stateless static methods; thread-safe.
 */
final class StructuredFieldParser {

    /** Longest field value parsed, in characters. */
    static final int MAX_LENGTH = 4096;
    /** Most members in a list or dictionary, items in an inner list, and parameters per item. */
    static final int MAX_MEMBERS = 64;

    /** An Item: a bare value and its parameters (never null; insertion-ordered; unmodifiable). */
    record Item(Object value, Map<String, Object> params) {

        Object param(String key) {
            return params.get(key);
        }
    }

    /** An Inner List member: its items and its own parameters. */
    record InnerList(List<Item> items, Map<String, Object> params) {
    }

    /** A Token bare item (unquoted, e.g. {@code default}). */
    record Token(String text) {
    }

    /** A Byte Sequence bare item, as its base64 text between the colons. */
    record ByteSequence(String base64) {
    }

    /** A Date bare item: seconds since the Unix epoch. */
    record SfDate(long epochSeconds) {
    }

    /** A Display String bare item, still percent-encoded. */
    record DisplayString(String encoded) {
    }

    /** The field does not follow RFC 9651; {@link #getMessage()} says where and why. */
    static final class MalformedFieldException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedFieldException(String message) {
            super(message, null, false, false);
        }
    }

    private final String s;
    private int pos;

    private StructuredFieldParser(String s) {
        this.s = s;
    }

    /** Parses a List: members are {@link Item} or {@link InnerList}. An empty input is an empty list. */
    static List<Object> parseList(String input) throws MalformedFieldException {
        StructuredFieldParser p = start(input);
        List<Object> members = new ArrayList<>();
        while (!p.eof()) {
            members.add(p.itemOrInnerList());
            if (members.size() > MAX_MEMBERS) {
                throw p.fail("more than " + MAX_MEMBERS + " members");
            }
            if (p.separatorEndsField()) {
                break;
            }
        }
        return Collections.unmodifiableList(members);
    }

    /** Parses a Dictionary: values are {@link Item} or {@link InnerList}, in field order. */
    static Map<String, Object> parseDictionary(String input) throws MalformedFieldException {
        StructuredFieldParser p = start(input);
        Map<String, Object> members = new LinkedHashMap<>();
        while (!p.eof()) {
            String key = p.key();
            Object member;
            if (p.peek() == '=') {
                p.pos++;
                member = p.itemOrInnerList();
            } else {
                member = new Item(Boolean.TRUE, p.parameters());
            }
            members.put(key, member);
            if (members.size() > MAX_MEMBERS) {
                throw p.fail("more than " + MAX_MEMBERS + " members");
            }
            if (p.separatorEndsField()) {
                break;
            }
        }
        return Collections.unmodifiableMap(members);
    }

    private static StructuredFieldParser start(String input) throws MalformedFieldException {
        if (input == null) {
            throw new MalformedFieldException("no value");
        }
        if (input.length() > MAX_LENGTH) {
            throw new MalformedFieldException("longer than " + MAX_LENGTH + " characters");
        }
        // leading and trailing SP are discarded (RFC 9651 4.2)
        int end = input.length();
        while (end > 0 && input.charAt(end - 1) == ' ') {
            end--;
        }
        return new StructuredFieldParser(input.substring(0, end)).skipSp();
    }

    /** After a member: OWS, then end of input (returns true) or a comma followed by another member. */
    private boolean separatorEndsField() throws MalformedFieldException {
        skipOws();
        if (eof()) {
            return true;
        }
        if (s.charAt(pos) != ',') {
            throw fail("expected ',' or end of field");
        }
        pos++;
        skipOws();
        if (eof()) {
            throw fail("trailing comma");
        }
        return false;
    }

    private Object itemOrInnerList() throws MalformedFieldException {
        return peek() == '(' ? innerList() : item();
    }

    private InnerList innerList() throws MalformedFieldException {
        pos++; // '('
        List<Item> items = new ArrayList<>();
        while (!eof()) {
            skipSp();
            if (peek() == ')') {
                pos++;
                return new InnerList(Collections.unmodifiableList(items), parameters());
            }
            items.add(item());
            if (items.size() > MAX_MEMBERS) {
                throw fail("more than " + MAX_MEMBERS + " inner list items");
            }
            char c = peek();
            if (c != ' ' && c != ')') {
                throw fail("expected ' ' or ')' in inner list");
            }
        }
        throw fail("unterminated inner list");
    }

    private Item item() throws MalformedFieldException {
        Object value = bareItem();
        return new Item(value, parameters());
    }

    private Map<String, Object> parameters() throws MalformedFieldException {
        Map<String, Object> params = null;
        while (peek() == ';') {
            pos++;
            skipSp();
            String key = key();
            Object value = Boolean.TRUE;
            if (peek() == '=') {
                pos++;
                value = bareItem();
            }
            if (params == null) {
                params = new LinkedHashMap<>();
            }
            params.put(key, value);
            if (params.size() > MAX_MEMBERS) {
                throw fail("more than " + MAX_MEMBERS + " parameters");
            }
        }
        return params == null ? Map.of() : Collections.unmodifiableMap(params);
    }

    private String key() throws MalformedFieldException {
        int start = pos;
        char c = peek();
        if (!(isLcAlpha(c) || c == '*')) {
            throw fail("a key must start with a lowercase letter or '*'");
        }
        pos++;
        while (!eof()) {
            c = s.charAt(pos);
            if (isLcAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '.' || c == '*') {
                pos++;
            } else {
                break;
            }
        }
        return s.substring(start, pos);
    }

    private Object bareItem() throws MalformedFieldException {
        char c = peek();
        if (c == '-' || isDigit(c)) {
            return number();
        }
        if (c == '"') {
            return string();
        }
        if (c == '*' || isAlpha(c)) {
            return token();
        }
        switch (c) {
            case ':':
                return byteSequence();
            case '?':
                return bool();
            case '@':
                return date();
            case '%':
                return displayString();
            default:
                throw fail(eof() ? "missing value" : "unexpected character");
        }
    }

    private Object number() throws MalformedFieldException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (!isDigit(peek())) {
            throw fail("expected a digit");
        }
        int digitsStart = pos;
        int dot = -1;
        while (!eof()) {
            char c = s.charAt(pos);
            if (isDigit(c)) {
                pos++;
            } else if (c == '.' && dot < 0) {
                if (pos - digitsStart > 12) {
                    throw fail("decimal with more than 12 integer digits");
                }
                dot = pos;
                pos++;
            } else {
                break;
            }
            int len = pos - digitsStart;
            if (dot < 0 && len > 15) {
                throw fail("integer with more than 15 digits");
            }
            if (dot >= 0 && len > 16) {
                throw fail("decimal longer than 16 characters");
            }
        }
        String text = s.substring(start, pos);
        if (dot < 0) {
            return Long.parseLong(text);
        }
        int fraction = pos - dot - 1;
        if (fraction == 0) {
            throw fail("decimal ends with '.'");
        }
        if (fraction > 3) {
            throw fail("decimal with more than 3 fraction digits");
        }
        return new BigDecimal(text);
    }

    private String string() throws MalformedFieldException {
        pos++; // '"'
        StringBuilder out = new StringBuilder();
        while (!eof()) {
            char c = s.charAt(pos++);
            if (c == '\\') {
                if (eof()) {
                    break;
                }
                char next = s.charAt(pos++);
                if (next != '"' && next != '\\') {
                    throw fail("bad escape in string");
                }
                out.append(next);
            } else if (c == '"') {
                return out.toString();
            } else if (c < 0x20 || c > 0x7e) {
                throw fail("character outside printable ASCII in string");
            } else {
                out.append(c);
            }
        }
        throw fail("unterminated string");
    }

    private Token token() {
        int start = pos;
        pos++;
        while (!eof() && (isTchar(s.charAt(pos)) || s.charAt(pos) == ':' || s.charAt(pos) == '/')) {
            pos++;
        }
        return new Token(s.substring(start, pos));
    }

    private ByteSequence byteSequence() throws MalformedFieldException {
        pos++; // ':'
        int start = pos;
        while (!eof()) {
            char c = s.charAt(pos);
            if (c == ':') {
                pos++;
                return new ByteSequence(s.substring(start, pos - 1));
            }
            if (!(isAlpha(c) || isDigit(c) || c == '+' || c == '/' || c == '=')) {
                throw fail("character outside base64 in byte sequence");
            }
            pos++;
        }
        throw fail("unterminated byte sequence");
    }

    private Boolean bool() throws MalformedFieldException {
        pos++; // '?'
        char c = peek();
        if (c == '0' || c == '1') {
            pos++;
            return c == '1';
        }
        throw fail("boolean must be ?0 or ?1");
    }

    private SfDate date() throws MalformedFieldException {
        pos++; // '@'
        Object n = number();
        if (!(n instanceof Long)) {
            throw fail("date must be an integer");
        }
        return new SfDate((Long) n);
    }

    private DisplayString displayString() throws MalformedFieldException {
        pos++; // '%'
        if (peek() != '"') {
            throw fail("expected '\"' after '%'");
        }
        pos++;
        int start = pos;
        while (!eof()) {
            char c = s.charAt(pos);
            if (c == '"') {
                pos++;
                return new DisplayString(s.substring(start, pos - 1));
            }
            if (c < 0x20 || c > 0x7e) {
                throw fail("character outside printable ASCII in display string");
            }
            if (c == '%') {
                if (pos + 2 >= s.length() || !isLcHex(s.charAt(pos + 1)) || !isLcHex(s.charAt(pos + 2))) {
                    throw fail("bad percent-encoding in display string");
                }
                pos += 2;
            }
            pos++;
        }
        throw fail("unterminated display string");
    }

    private StructuredFieldParser skipSp() {
        while (!eof() && s.charAt(pos) == ' ') {
            pos++;
        }
        return this;
    }

    private void skipOws() {
        while (!eof() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private boolean eof() {
        return pos >= s.length();
    }

    private char peek() {
        return eof() ? '\0' : s.charAt(pos);
    }

    private MalformedFieldException fail(String why) {
        return new MalformedFieldException(why + " at index " + pos);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLcAlpha(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean isAlpha(char c) {
        return isLcAlpha(c) || (c >= 'A' && c <= 'Z');
    }

    private static boolean isLcHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f');
    }

    /** RFC 9110 tchar. */
    private static boolean isTchar(char c) {
        return isAlpha(c) || isDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
