package io.github.camelratelimit.core;

/**
 * A limiter option has a value that breaks a rule. The message names the option, the value and the rule,
 * e.g. {@code ratelimit option minRate=5.0 is invalid: must be <= maxRate (2.0)}.
 */
public class InvalidLimiterConfigException extends IllegalArgumentException {

    private final String option;
    private final String value;

    public InvalidLimiterConfigException(String option, Object value, String rule) {
        super("ratelimit option " + option + "=" + value + " is invalid: " + rule);
        this.option = option;
        this.value = String.valueOf(value);
    }

    /** The option's name as users write it in an endpoint URI. */
    public String getOption() {
        return option;
    }

    public String getValue() {
        return value;
    }
}
