package dev.jgpt.jinja;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.ext.AdditionOperator;
import com.hubspot.jinjava.el.ext.CollectionMembershipOperator;
import com.hubspot.jinjava.el.ext.CollectionNonMembershipOperator;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Builder.Feature;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Parser.ParseException;
import jinjava.de.odysseus.el.tree.impl.Scanner.ScanException;
import jinjava.de.odysseus.el.tree.impl.Scanner.Symbol;
import jinjava.de.odysseus.el.tree.impl.ast.AstBinary;
import jinjava.de.odysseus.el.tree.impl.ast.AstBracket;
import jinjava.de.odysseus.el.tree.impl.ast.AstDot;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstUnary;
import jinjava.javax.el.ExpressionFactory;

/**
 * Jinjava's expression language with Python's semantics where a template can tell them apart:
 * {@code not}'s precedence,
 * {@code +} as Python adds ({@link PythonAddition}), {@code in} as Python tests membership
 * ({@link PythonMembership}), and an attribute or item of an undefined value
 * an UndefinedError ({@link DefinedDot}, {@link DefinedBracket}) where Jinjava gives null.
 */
final class PythonExpressions {
    private PythonExpressions() {
    }

    static ExpressionFactory factory() {
        // the features Jinjava's own factory has (JUEL's JEE6 profile): method calls and varargs
        Builder builder = new Builder(Feature.METHOD_INVOCATIONS, Feature.VARARGS);
        return new ExpressionFactoryImpl(new TreeStore(builder, new Cache(1000)), new TruthyTypeConverter());
    }

    private static final class Builder extends ExtendedSyntaxBuilder {
        Builder(Feature... features) {
            super(features);
        }

        @Override
        protected Parser createParser(String expression) {
            return new PythonParser(this, expression);
        }
    }

    private static final class PythonParser extends ExtendedParser {
        PythonParser(Builder builder, String input) {
            super(builder, input);
            putExtensionHandler(CollectionMembershipOperator.TOKEN, PythonMembership.IN.handler());
            putExtensionHandler(CollectionNonMembershipOperator.TOKEN, PythonMembership.NOT_IN.handler());
        }

        /** {@code not} binds more loosely than comparisons and filters, as in Python: {@code not x|length == 1} is {@code not ((x|length) == 1)}. */
        @Override
        protected AstNode eq(boolean required) throws ScanException, ParseException {
            if (getToken().getSymbol() == Symbol.NOT) {
                consumeToken();
                return createAstUnary(eq(true), AstUnary.NOT);
            }
            return super.eq(required);
        }

        @Override
        protected AstBinary createAstBinary(AstNode left, AstNode right, AstBinary.Operator operator) {
            return super.createAstBinary(left, right, operator == AdditionOperator.OP ? PythonAddition.OP : operator);
        }

        @Override
        protected AstDot createAstDot(AstNode prefix, String property, boolean lvalue) {
            return new DefinedDot(prefix, property, lvalue);
        }

        @Override
        protected AstBracket createAstBracket(AstNode base, AstNode property, boolean lvalue, boolean strict) {
            return new DefinedBracket(base, property, lvalue, strict);
        }
    }
}
