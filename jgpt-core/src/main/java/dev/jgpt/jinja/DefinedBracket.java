package dev.jgpt.jinja;

import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.ast.AstBracket;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.javax.el.ELContext;

/** {@code base[key]}: an UndefinedError when {@code base} is undefined. */
final class DefinedBracket extends AstBracket implements Undefined.LookedUp {
    DefinedBracket(AstNode base, AstNode property, boolean lvalue, boolean strict) {
        super(base, property, lvalue, strict);
    }

    @Override
    public Object eval(Bindings bindings, ELContext context) {
        Object base = prefix.eval(bindings, context);
        Object key = getProperty(bindings, context);
        return key == null && strict ? null : Undefined.lookup(prefix, base, key, bindings, context);
    }

    @Override
    public Object base(Bindings bindings, ELContext context) {
        return prefix.eval(bindings, context);
    }

    @Override
    public Object key(Bindings bindings, ELContext context) {
        return getProperty(bindings, context);
    }
}
