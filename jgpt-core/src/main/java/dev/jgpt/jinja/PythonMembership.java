package dev.jgpt.jinja;

import com.hubspot.jinjava.el.ext.CollectionMembershipOperator;
import jinjava.de.odysseus.el.misc.TypeConverter;
import jinjava.de.odysseus.el.tree.impl.Parser.ExtensionHandler;
import jinjava.de.odysseus.el.tree.impl.Parser.ExtensionPoint;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;

/**
 * {@code in} and {@code not in} as Python has them: a TypeError for a container that is none
 * (None, a number) and for a string searched for something else than a string, where Jinjava says
 * false; an undefined container holds nothing.
 */
final class PythonMembership extends CollectionMembershipOperator {
    static final PythonMembership IN = new PythonMembership(false);
    static final PythonMembership NOT_IN = new PythonMembership(true);

    private final boolean negated;

    private PythonMembership(boolean negated) {
        this.negated = negated;
    }

    @Override
    public Object apply(TypeConverter converter, Object item, Object container) {
        if (container == PythonNone.NONE || container instanceof Number || container instanceof Boolean) {
            throw new TemplateTypeError("argument of type '" + PythonValues.typeName(container) + "' is not iterable");
        }
        if (container instanceof CharSequence && !(PythonValues.unwrap(item) instanceof String)) {
            throw new TemplateTypeError("'in <string>' requires string as left operand, not " + PythonValues.typeName(item));
        }
        return negated != (Boolean) super.apply(converter, item, container);
    }

    /** What the parser makes of the operator. */
    ExtensionHandler handler() {
        return new ExtensionHandler(ExtensionPoint.CMP) {
            @Override
            public AstNode createAstNode(AstNode... children) {
                return new AstBinary(children[0], children[1], PythonMembership.this);
            }
        };
    }
}
