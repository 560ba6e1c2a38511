package io.github.camelratelimit.springboot;

import java.util.Map;

import io.github.camelratelimit.RateLimitComponent;
import io.github.camelratelimit.retry.RetryAfterRedelivery;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.spi.PropertyConfigurer;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.apache.camel.support.PropertyBindingSupport;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures the {@code ratelimit} component in a Camel Spring Boot application: registers it as the bean
 * {@code ratelimit} (unless the application defines its own {@link RateLimitComponent} bean) and applies the
 * {@code camel.component.ratelimit.*} properties ({@link RateLimitComponentProperties}) to every
 * {@link RateLimitComponent} Camel adds, through a {@link ComponentCustomizer}: so an application's own bean is
 * configured too. Turned off by {@code camel.component.ratelimit.enabled=false}.
 *
 * <p>Also registers the Retry-After error handler {@link RetryAfterRedelivery} as the bean {@code retryAfter},
 * configured by {@code camel.ratelimit.retry-after.*} ({@link RetryAfterProperties}), ready to be referenced by name
 * from routes ({@code onExceptionOccurredRef: retryAfter}) or injected; turned off by
 * {@code camel.ratelimit.retry-after.enabled=false} or replaced by an application bean named {@code retryAfter}.
 *
 * <p>Per-limiter overrides need no configuration here: {@code ratelimit.limiter.<name>.<option>} properties
 * (e.g. in application.yaml) reach the component through Camel's property placeholders, which read Spring's
 * environment.
 */
@AutoConfiguration(after = CamelAutoConfiguration.class)
@ConditionalOnClass({CamelContext.class, RateLimitComponent.class})
@ConditionalOnBean(CamelContext.class)
@EnableConfigurationProperties({RateLimitComponentProperties.class, RetryAfterProperties.class})
public class RateLimitComponentAutoConfiguration {

    /** The component as a bean, so that applications can inject it (e.g. to read its limiters). */
    @Bean(name = "ratelimit")
    @ConditionalOnMissingBean(RateLimitComponent.class)
    @ConditionalOnProperty(prefix = RateLimitComponentProperties.PREFIX, name = "enabled", havingValue = "true",
            matchIfMissing = true)
    public RateLimitComponent ratelimitComponent() {
        return new RateLimitComponent();
    }

    /**
     * The Retry-After error handler, shared by the routes that reference it (one retry budget per API). Invalid
     * settings fail the application's start, naming option, value and rule.
     */
    @Bean(name = "retryAfter")
    @ConditionalOnMissingBean(name = "retryAfter")
    @ConditionalOnProperty(prefix = RetryAfterProperties.PREFIX, name = "enabled", havingValue = "true",
            matchIfMissing = true)
    public RetryAfterRedelivery retryAfter(CamelContext camelContext, RetryAfterProperties properties) {
        RetryAfterRedelivery bean = new RetryAfterRedelivery();
        properties.applyTo(bean);
        bean.validate();
        bean.setCamelContext(camelContext);
        return bean;
    }

    /** Applies the {@code camel.component.ratelimit.*} properties when Camel adds a ratelimit component. */
    @Bean
    @ConditionalOnProperty(prefix = RateLimitComponentProperties.PREFIX, name = "enabled", havingValue = "true",
            matchIfMissing = true)
    public ComponentCustomizer ratelimitComponentCustomizer(CamelContext camelContext,
                                                           RateLimitComponentProperties properties) {
        return ComponentCustomizer.forType(RateLimitComponent.class,
                component -> configure(camelContext, component, properties));
    }

    /**
     * Binds the properties to the component through its generated configurer; an option the component does not
     * know fails (mandatory binding), so a renamed option cannot be dropped silently.
     */
    public static void configure(CamelContext camelContext, RateLimitComponent component,
                                 RateLimitComponentProperties properties) {
        Map<String, Object> options = properties.toComponentOptions();
        // the generated configurer knows the nested options (maxRate is configuration.maxRate) and converts
        // Duration to the component's milliseconds
        PropertyConfigurer configurer = PluginHelper.getConfigurerResolver(camelContext)
                .resolvePropertyConfigurer("ratelimit-component", camelContext);
        if (configurer == null) {
            throw new IllegalStateException("the ratelimit component's generated configurer"
                    + " (META-INF/services/org/apache/camel/configurer/ratelimit-component) is not on the classpath");
        }
        PropertyBindingSupport.build().withCamelContext(camelContext).withTarget(component).withProperties(options)
                .withConfigurer(configurer).withMandatory(true).withRemoveParameters(false).withReflection(false)
                .bind();
    }
}
