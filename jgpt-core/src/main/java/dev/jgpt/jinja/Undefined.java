package dev.jgpt.jinja;

import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.ast.AstIdentifier;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.PropertyNotFoundException;

/**
 * jinja2's Undefined, which is Java's null here: what jinja2 says when one is used, and the
 * attribute lookup that raises on it.
 */
final class Undefined {
    private Undefined() {
    }

    /** The error of using the undefined value {@code node} evaluated to, worded as jinja2 words it. */
    static TemplateUndefinedError error(AstNode node, Bindings bindings, ELContext context) {
        if (node instanceof AstIdentifier id) {
            return new TemplateUndefinedError("'" + id.getName() + "' is undefined");
        }
        if (node instanceof LookedUp lookup) {
            Object base = lookup.base(bindings, context);
            Object key = lookup.key(bindings, context);
            String owner = base == PythonNone.NONE ? "'None'" : "'" + PythonValues.typeName(base) + " object'";
            return new TemplateUndefinedError(key instanceof String name ? owner + " has no attribute '" + name + "'"
                    : owner + " has no element " + PythonValues.repr(key));
        }
        return new TemplateUndefinedError("a value is undefined");
    }

    /** {@code base.key} or {@code base[key]}, whose base must be defined. */
    interface LookedUp {
        Object base(Bindings bindings, ELContext context);

        Object key(Bindings bindings, ELContext context);
    }

    /** The attribute or item {@code key} of {@code base}, failing on an undefined base as jinja2 does. */
    static Object lookup(AstNode prefix, Object base, Object key, Bindings bindings, ELContext context) {
        if (base == null) {
            throw error(prefix, bindings, context);
        }
        context.setPropertyResolved(false);
        Object result = context.getELResolver().getValue(context, base, key);
        if (!context.isPropertyResolved()) {
            throw new PropertyNotFoundException("no property '" + key + "' on " + PythonValues.typeName(base));
        }
        return result;
    }
}
