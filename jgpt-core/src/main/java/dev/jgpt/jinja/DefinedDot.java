package dev.jgpt.jinja;

import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.ast.AstDot;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.javax.el.ELContext;

/** {@code base.name}: an UndefinedError when {@code base} is undefined. */
final class DefinedDot extends AstDot implements Undefined.LookedUp {
    DefinedDot(AstNode base, String property, boolean lvalue) {
        super(base, property, lvalue);
    }

    @Override
    public Object eval(Bindings bindings, ELContext context) {
        return Undefined.lookup(prefix, prefix.eval(bindings, context), property, bindings, context);
    }

    @Override
    public Object base(Bindings bindings, ELContext context) {
        return prefix.eval(bindings, context);
    }

    @Override
    public Object key(Bindings bindings, ELContext context) {
        return property;
    }
}
