package dev.jgpt.jinja;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;

/** Jinjava's interpreter writing values as Python's {@code str} does ({@code True}, {@code None}, {@code ['a']}); undefined as nothing. */
final class PythonInterpreter extends JinjavaInterpreter {
    static final InterpreterFactory FACTORY = new InterpreterFactory() {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
            return new PythonInterpreter(orig);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig renderConfig) {
            return new PythonInterpreter(application, context, renderConfig);
        }
    };

    private PythonInterpreter(JinjavaInterpreter orig) {
        super(orig);
    }

    private PythonInterpreter(Jinjava application, Context context, JinjavaConfig renderConfig) {
        super(application, context, renderConfig);
    }

    @Override
    public String getAsString(Object object) {
        return object == null ? "" : PythonValues.str(object);
    }
}
