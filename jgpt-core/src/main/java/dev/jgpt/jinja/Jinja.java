package dev.jgpt.jinja;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ExpressionFactory;

/**
 * Renders Jinja templates as Hugging Face's {@code apply_chat_template} does with Python's jinja2:
 * {@code trim_blocks} and {@code lstrip_blocks}, one trailing newline of the template dropped,
 * {@code raise_exception(msg)}, {@code strftime_now(fmt)}, a {@code tojson} that is Python's
 * {@code json.dumps}, and Python's string and dict methods. Thread-safe.
 */
public final class Jinja {
    private static final Jinjava JINJAVA = create();

    private Jinja() {
    }

    /**
     * {@code source} rendered with {@code variables} (plain Java values: maps, lists, strings,
     * numbers, booleans, null), {@code now} being the time {@code strftime_now} reads.
     *
     * @throws JinjaException when the template raises, cannot be parsed, or fails as Python would
     */
    public static String render(String source, Map<String, Object> variables, LocalDateTime now) {
        // jinja2 drops one newline at the end of a template (keep_trailing_newline=False)
        String template = Whitespace.apply(source.endsWith("\n") ? source.substring(0, source.length() - 1) : source);
        RenderResult result;
        TemplateFunctions.NOW.set(now);
        Map<String, Object> globals = new HashMap<>();
        variables.forEach((name, value) -> globals.put(name, PythonValues.fromJava(value)));
        globals.put("none", PythonNone.NONE);
        globals.put("None", PythonNone.NONE);
        // jinja2's globals are variables too: templates ask whether strftime_now is defined before calling it
        globals.putIfAbsent("strftime_now", "strftime_now");
        globals.putIfAbsent("raise_exception", "raise_exception");
        try {
            result = JINJAVA.renderForResult(template, globals);
        } finally {
            TemplateFunctions.NOW.remove();
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw JinjaException.of(error);
            }
        }
        return result.getOutput();
    }

    private static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withNestedInterpretationEnabled(false) // text that looks like Jinja, in a message, stays text
                .withElResolver(resolver)
                .withInterperterFactory(PythonInterpreter.FACTORY)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUsePyishObjectMapper(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withKeepNullableLoopValues(true)
                        .withEvaluateMapKeys(true)
                        .build())
                .build();
        ExpressionFactory expressions = PythonExpressions.factory();
        Jinjava jinjava = new Jinjava(config) {
            @Override
            public ExpressionFactory getExpressionFactory() {
                return expressions;
            }
        };
        jinjava.registerTag(new PythonForTag());
        jinjava.registerFilter(new IndentFilter());
        jinjava.registerFilter(new ItemsFilter());
        for (String generator : List.of("map", "select", "reject", "selectattr", "rejectattr")) {
            jinjava.registerFilter(new GeneratorFilter(jinjava.getGlobalContext().getFilter(generator)));
        }
        for (String length : List.of("length", "count")) {
            jinjava.registerFilter(new LengthFilter(jinjava.getGlobalContext().getFilter(length)));
        }
        jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class, "raiseException", String.class));
        jinjava.registerFunction(new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class, "strftimeNow", String.class));
        jinjava.registerTag(new FilterTag());
        jinjava.registerExpTest(new ExpTest() {
            @Override
            public String getName() {
                return "none";
            }

            @Override
            public boolean evaluate(Object value, JinjavaInterpreter interpreter, Object... args) {
                return value == PythonNone.NONE; // an undefined value is not None
            }
        });
        jinjava.registerExpTest(new ExpTest() {
            @Override
            public String getName() {
                return "iterable";
            }

            @Override
            public boolean evaluate(Object value, JinjavaInterpreter interpreter, Object... args) {
                Object v = PythonValues.unwrap(value);
                return v instanceof String || v instanceof Iterable<?> || v instanceof Map<?, ?>; // a str is iterable in Python
            }
        });
        jinjava.registerFilter(new Filter() {
            @Override
            public String getName() {
                return "tojson";
            }

            @Override
            public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
                return PythonJson.dumps(value, indent(args));
            }

            @Override
            public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
                Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
                return PythonJson.dumps(value, indent == null ? null : indent instanceof Number n ? " ".repeat(n.intValue()) : indent.toString());
            }

            private static String indent(String[] args) {
                return args.length == 0 || args[0] == null ? null : " ".repeat(Integer.parseInt(args[0].trim()));
            }
        });
        return jinjava;
    }
}
