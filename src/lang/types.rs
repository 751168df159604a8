//! Terraform type constraints: parsing them, naming them, and converting values to them.
//!
//! This module owns [`Type`] (what a `variable` block's `type = ...` or a function parameter
//! demands), [`parse_type_expr`] (the type constraint sub-language: `list(string)`,
//! `object({a = optional(number, 1)})`, legacy `"string"`), and [`convert`], which applies
//! Terraform's (cty's) conversion rules: `"5"` becomes `5` for a `number`, a tuple becomes a
//! list once its elements agree on one type, an object fills its optional attributes with
//! defaults, and so on. [`type_of`] infers the type of a value, and [`unify`] finds the one type
//! a group of types can all convert to, as `tolist([1, "a"])` needs.
//!
//! It does not evaluate expressions (an optional attribute's default must be a literal; see
//! [`parse_type_expr`]), report diagnostics with source snippets (callers turn
//! [`TypeExprError`] spans into those), or validate variables (`validation` blocks live with
//! the evaluator). Values carry no static type, so a [`Value::List`] is treated as a tuple and a
//! [`Value::Map`] as an object, the way cty treats literal values.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use hcl::edit::expr::{Expression, FuncCall, ObjectKey, UnaryOperator};
use hcl::edit::template::Element;
use hcl::edit::Span;

use super::value::Value;

/// A type constraint.
///
/// `Any` stands for Terraform's `any` (cty's dynamic pseudo-type): every value conforms to it
/// unchanged, and as an element type (`list(any)`) it asks for the one type all elements share.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(BTreeMap<String, Attr>),
}

/// One attribute of an object type.
#[derive(Clone, Debug, PartialEq)]
pub struct Attr {
    pub ty: Type,
    /// Declared with `optional(...)`: may be absent (or null) in the value being converted.
    pub optional: bool,
    /// The value an absent or null optional attribute takes, already converted to `ty`.
    pub default: Option<Value>,
}

impl Attr {
    /// A required attribute of type `ty`.
    pub fn required(ty: Type) -> Attr {
        Attr {
            ty,
            optional: false,
            default: None,
        }
    }

    /// An optional attribute of type `ty` with an optional default.
    pub fn optional(ty: Type, default: Option<Value>) -> Attr {
        Attr {
            ty,
            optional: true,
            default,
        }
    }
}

impl Type {
    pub fn list(elem: Type) -> Type {
        Type::List(Box::new(elem))
    }

    pub fn set(elem: Type) -> Type {
        Type::Set(Box::new(elem))
    }

    pub fn map(elem: Type) -> Type {
        Type::Map(Box::new(elem))
    }

    /// An object type whose attributes are all required.
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::Object(
            attrs
                .into_iter()
                .map(|(k, ty)| (k.into(), Attr::required(ty)))
                .collect(),
        )
    }

    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::String | Type::Number | Type::Bool)
    }

    /// The type in Terraform's type constraint syntax: `list(string)`, `object({a=string})`.
    /// Like Terraform's `TypeString`, object attributes are sorted and unspaced.
    pub fn to_hcl(&self) -> String {
        match self {
            Type::Any => "any".into(),
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::List(e) => format!("list({})", e.to_hcl()),
            Type::Set(e) => format!("set({})", e.to_hcl()),
            Type::Map(e) => format!("map({})", e.to_hcl()),
            Type::Tuple(elems) => {
                let elems: Vec<String> = elems.iter().map(Type::to_hcl).collect();
                format!("tuple([{}])", elems.join(","))
            }
            Type::Object(attrs) => {
                let attrs: Vec<String> = attrs
                    .iter()
                    .map(|(name, attr)| {
                        let ty = attr.ty.to_hcl();
                        let ty = match (&attr.optional, &attr.default) {
                            (false, _) => ty,
                            (true, None) => format!("optional({ty})"),
                            (true, Some(d)) => format!("optional({ty}, {})", hcl_literal(d)),
                        };
                        format!("{}={ty}", hcl_key(name))
                    })
                    .collect();
                format!("object({{{}}})", attrs.join(","))
            }
        }
    }

    /// The name Terraform uses for the type of a *value* ("tuple", "set of string",
    /// "dynamic" for a value of unknown type), as in "cannot convert tuple to string".
    /// [`Display`](fmt::Display) gives the name of a *constraint* instead.
    pub fn friendly_name(&self) -> String {
        self.friendly(false)
    }

    fn friendly(&self, constraint: bool) -> String {
        match self {
            Type::Any if constraint => "any type".into(),
            Type::Any => "dynamic".into(),
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            Type::List(e) => format!("list of {}", elem_name(e, constraint)),
            Type::Set(e) => format!("set of {}", elem_name(e, constraint)),
            Type::Map(e) => format!("map of {}", elem_name(e, constraint)),
            Type::Tuple(_) => "tuple".into(),
            Type::Object(_) => "object".into(),
        }
    }
}

fn elem_name(elem: &Type, constraint: bool) -> String {
    if constraint && *elem == Type::Any {
        "any single type".into()
    } else {
        elem.friendly(constraint)
    }
}

/// Terraform's friendly name for a type constraint, as used in conversion errors:
/// `string`, `list of string`, `map of any single type`, `object`, `tuple`.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.friendly(true))
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing type constraint expressions
// ---------------------------------------------------------------------------------------------

/// A type constraint that could not be parsed, with the span of the offending sub-expression
/// (byte offsets into the source the expression was parsed from).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{summary}: {message}")]
pub struct TypeExprError {
    pub span: Option<Range<usize>>,
    /// Terraform's diagnostic summary, e.g. "Invalid type specification".
    pub summary: &'static str,
    /// Terraform's diagnostic detail, e.g. "The keyword \"strin\" is not a valid type
    /// specification."
    pub message: String,
}

const INVALID_TYPE: &str = "Invalid type specification";
const INVALID_LEGACY: &str = "Invalid legacy variable type hint";
const INVALID_DEFAULT: &str = "Invalid default value for optional attribute";

fn type_error(span: Option<Range<usize>>, message: impl Into<String>) -> TypeExprError {
    TypeExprError {
        span,
        summary: INVALID_TYPE,
        message: message.into(),
    }
}

/// Parses a type constraint as written in a `variable` block's `type` argument.
///
/// Accepts `string number bool any`, `list(T) set(T) map(T) tuple([T, ...])`,
/// `object({name = T, other = optional(T), third = optional(T, default)})`, the bare keywords
/// `list` and `map` (= `list(any)`, `map(any)`) and the legacy quoted hints `"string"`,
/// `"list"` and `"map"`.
///
/// Defaults must be literals (strings, numbers, bools, null, lists, objects, and `-`/`!`
/// applied to them); they are converted to the attribute's type here, so a bad default is
/// reported at its declaration. The first problem found is returned.
pub fn parse_type_expr(expr: &Expression) -> Result<Type, TypeExprError> {
    if let Expression::String(s) = expr {
        return match s.value().as_str() {
            "string" => Ok(Type::String),
            "list" => Ok(Type::list(Type::Any)),
            "map" => Ok(Type::map(Type::Any)),
            _ => Err(TypeExprError {
                span: expr.span(),
                summary: INVALID_LEGACY,
                message: "The legacy variable type hint form, using a quoted string, allows only \
                          the values \"string\", \"list\", and \"map\". To provide a full type \
                          expression, remove the surrounding quotes and give the type \
                          expression directly."
                    .into(),
            }),
        };
    }
    // Terraform's own shorthand for pre-0.12 configurations (`decodeVariableType`), checked
    // before the type constraint parser: only `list` and `map` (not `set`), only as the whole
    // constraint (`list(list)` stays an error), without a warning. Like hcl.ExprAsKeyword it
    // takes the keyword alone, not in parentheses.
    if let Expression::Variable(kw) = expr {
        match kw.value().as_str() {
            "list" => return Ok(Type::list(Type::Any)),
            "map" => return Ok(Type::map(Type::Any)),
            _ => {}
        }
    }
    get_type(expr)
}

fn get_type(expr: &Expression) -> Result<Type, TypeExprError> {
    let expr = strip_parens(expr);
    if let Expression::Variable(kw) = expr {
        let kw = kw.value().as_str();
        return match kw {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "any" => Ok(Type::Any),
            "list" | "map" | "set" => Err(type_error(
                expr.span(),
                format!(
                    "The {kw} type constructor requires one argument specifying the element type."
                ),
            )),
            "object" => Err(type_error(expr.span(), OBJECT_NEEDS_ARG)),
            "tuple" => Err(type_error(expr.span(), TUPLE_NEEDS_ARG)),
            _ => Err(type_error(
                expr.span(),
                format!("The keyword \"{kw}\" is not a valid type specification."),
            )),
        };
    }
    let Expression::FuncCall(call) = expr else {
        return Err(type_error(
            expr.span(),
            "A type specification is either a primitive type keyword (bool, number, string) or \
             a complex type constructor call, like list(string).",
        ));
    };
    let name = call.name.name.value().as_str();
    if call.name.is_namespaced() {
        return Err(type_error(
            expr.span(),
            format!("Keyword \"{name}\" is not a valid type constructor."),
        ));
    }
    match name {
        "bool" | "string" | "number" => {
            return Err(type_error(
                args_span(call),
                format!("Primitive type keyword \"{name}\" does not expect arguments."),
            ))
        }
        "any" => {
            return Err(type_error(
                args_span(call),
                format!("Type constraint keyword \"{name}\" does not expect arguments."),
            ))
        }
        "optional" => {
            return Err(type_error(
                call.name.name.span(),
                "Keyword \"optional\" is valid only as a modifier for object type attributes.",
            ))
        }
        "list" | "set" | "map" | "object" | "tuple" => {}
        _ => {
            return Err(type_error(
                expr.span(),
                format!("Keyword \"{name}\" is not a valid type constructor."),
            ))
        }
    }
    let args: Vec<&Expression> = call.args.iter().collect();
    if args.len() != 1 || call.args.expand_final() {
        // Too many arguments: point at the extra ones, as Terraform does.
        let span = match (args.get(1), args.last()) {
            (Some(first), Some(last)) => join_spans(first.span(), last.span()),
            _ => args_span(call),
        };
        let message = match name {
            "object" => OBJECT_NEEDS_ARG.to_string(),
            "tuple" => TUPLE_NEEDS_ARG.to_string(),
            _ => format!(
                "The {name} type constructor requires one argument specifying the element type."
            ),
        };
        return Err(type_error(span, message));
    }
    let arg = args[0];
    match name {
        "list" => Ok(Type::list(get_type(arg)?)),
        "set" => Ok(Type::set(get_type(arg)?)),
        "map" => Ok(Type::map(get_type(arg)?)),
        "tuple" => {
            let Expression::Array(elems) = strip_parens(arg) else {
                return Err(type_error(
                    arg.span(),
                    "Tuple type constructor requires a list of element types.",
                ));
            };
            Ok(Type::Tuple(
                elems.iter().map(get_type).collect::<Result<_, _>>()?,
            ))
        }
        _ => object_type(arg),
    }
}

const OBJECT_NEEDS_ARG: &str = "The object type constructor requires one argument specifying \
                                the attribute types and values as a map.";
const TUPLE_NEEDS_ARG: &str =
    "The tuple type constructor requires one argument specifying the element types as a list.";

fn object_type(arg: &Expression) -> Result<Type, TypeExprError> {
    let Expression::Object(object) = strip_parens(arg) else {
        return Err(type_error(
            arg.span(),
            "Object type constructor requires a map whose keys are attribute names and whose \
             values are the corresponding attribute types.",
        ));
    };
    let mut attrs = BTreeMap::new();
    for (key, value) in object.iter() {
        let ObjectKey::Ident(name) = key else {
            return Err(type_error(
                key.span(),
                "Object constructor map keys must be attribute names.",
            ));
        };
        let attr = match optional_call(value.expr()) {
            Some(call) => optional_attr(call)?,
            None => Attr::required(get_type(value.expr())?),
        };
        attrs.insert(name.value().to_string(), attr);
    }
    Ok(Type::Object(attrs))
}

fn optional_call(expr: &Expression) -> Option<&FuncCall> {
    match strip_parens(expr) {
        Expression::FuncCall(call)
            if !call.name.is_namespaced() && call.name.name.value().as_str() == "optional" =>
        {
            Some(call)
        }
        _ => None,
    }
}

fn optional_attr(call: &FuncCall) -> Result<Attr, TypeExprError> {
    let args: Vec<&Expression> = call.args.iter().collect();
    match args.as_slice() {
        [] => Err(type_error(
            args_span(call),
            "Optional attribute modifier requires the attribute type as its argument.",
        )),
        [ty] => Ok(Attr::optional(get_type(ty)?, None)),
        [ty, default] => {
            let ty = get_type(ty)?;
            let value = literal_value(default)?;
            let value = convert(value, &ty).map_err(|e| TypeExprError {
                span: default.span(),
                summary: INVALID_DEFAULT,
                message: format!(
                    "This default value is not compatible with the attribute's type \
                     constraint: {e}."
                ),
            })?;
            Ok(Attr::optional(ty, Some(value)))
        }
        _ => Err(type_error(
            args_span(call),
            "Optional attribute modifier expects at most two arguments: the attribute type, \
             and a default value.",
        )),
    }
}

/// The span of `(args...)`: hcl-edit's parser does not record one for `FuncArgs`, so it is
/// derived from the call's and the name's spans.
fn args_span(call: &FuncCall) -> Option<Range<usize>> {
    call.args.span().or_else(|| {
        let name_end = call.name.name.span()?.end;
        let call_end = call.span()?.end;
        Some(name_end..call_end)
    })
}

fn strip_parens(mut expr: &Expression) -> &Expression {
    while let Expression::Parenthesis(p) = expr {
        expr = p.inner();
    }
    expr
}

fn join_spans(a: Option<Range<usize>>, b: Option<Range<usize>>) -> Option<Range<usize>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.start..b.end),
        (a, b) => a.or(b),
    }
}

/// The value of a literal expression (an optional attribute's default).
fn literal_value(expr: &Expression) -> Result<Value, TypeExprError> {
    let not_literal = || TypeExprError {
        span: expr.span(),
        summary: INVALID_DEFAULT,
        message: "The default must be a literal value (a string, number, bool, null, list or \
                  object); references, function calls and operators are not allowed here."
            .into(),
    };
    Ok(match expr {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => Value::Number(n.value().as_f64().ok_or_else(not_literal)?),
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for element in t.iter() {
                match element {
                    Element::Literal(s) => out.push_str(s.value()),
                    _ => return Err(not_literal()),
                }
            }
            Value::String(out)
        }
        Expression::Parenthesis(p) => literal_value(p.inner())?,
        Expression::Array(items) => {
            Value::List(items.iter().map(literal_value).collect::<Result<_, _>>()?)
        }
        Expression::Object(object) => {
            let mut map = BTreeMap::new();
            for (key, value) in object.iter() {
                let key = match key {
                    ObjectKey::Ident(ident) => ident.value().to_string(),
                    ObjectKey::Expression(e) => match literal_value(e)?.to_template_string() {
                        Some(k) => k,
                        None => return Err(not_literal()),
                    },
                };
                map.insert(key, literal_value(value.expr())?);
            }
            Value::Map(map)
        }
        Expression::UnaryOp(op) => match (op.operator.value(), literal_value(&op.expr)?) {
            (UnaryOperator::Neg, Value::Number(n)) => Value::Number(-n),
            (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
            _ => return Err(not_literal()),
        },
        _ => return Err(not_literal()),
    })
}

/// Renders a literal value in HCL syntax (for `optional(T, default)` in [`Type::to_hcl`]).
fn hcl_literal(v: &Value) -> String {
    match v.unmarked() {
        Value::List(items) | Value::Set(items) => {
            let items: Vec<String> = items.iter().map(hcl_literal).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Map(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{} = {}", hcl_key(k), hcl_literal(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        other => other.to_string(),
    }
}

fn hcl_key(k: &str) -> String {
    if hcl::edit::Ident::try_new(k).is_ok() {
        k.to_string()
    } else {
        serde_json::Value::String(k.to_string()).to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Type inference and unification
// ---------------------------------------------------------------------------------------------

/// The type of a value as cty would see it: a list value is a tuple of its elements' types, a
/// map value an object, null and unknown values have type `any`. Sensitive marks are ignored.
pub fn type_of(v: &Value) -> Type {
    match v.unmarked() {
        Value::Null | Value::Unknown => Type::Any,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(items) => Type::Tuple(items.iter().map(type_of).collect()),
        Value::Set(items) => {
            let types: Vec<Type> = items.iter().map(type_of).collect();
            Type::set(unify(&types).unwrap_or(Type::Any))
        }
        Value::Map(map) => Type::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), Attr::required(type_of(v))))
                .collect(),
        ),
        Value::Sensitive(_) => unreachable!("unmarked above"),
    }
}

/// The single type all of `types` can convert to, following cty's unification: strings win
/// over numbers and bools, objects with the same attributes unify attribute-wise and otherwise
/// into a map, tuples of one length unify element-wise and otherwise into a list. `None` if
/// there is no such type (or `types` is empty).
pub fn unify(types: &[Type]) -> Option<Type> {
    let first = types.first()?;
    if types.iter().all(|t| t == first) {
        return Some(first.clone());
    }
    let mut objects = Vec::new();
    let mut tuples = Vec::new();
    let mut dynamic = 0;
    for ty in types {
        match ty {
            Type::Object(attrs) => objects.push(attrs),
            Type::Tuple(elems) => tuples.push(elems),
            Type::Any => dynamic += 1,
            _ => {}
        }
    }
    if !objects.is_empty() && !tuples.is_empty() {
        return None;
    }
    if !objects.is_empty() && objects.len() + dynamic == types.len() {
        return unify_objects(&objects);
    }
    if !tuples.is_empty() && tuples.len() + dynamic == types.len() {
        return unify_tuples(&tuples);
    }
    'preference: for want in preference_order(types) {
        for ty in types {
            if ty != want && !convertible(ty, want) {
                continue 'preference;
            }
        }
        return Some(want.clone());
    }
    None
}

fn unify_objects(objects: &[&BTreeMap<String, Attr>]) -> Option<Type> {
    let first = objects[0];
    let same_names = objects
        .iter()
        .all(|o| o.len() == first.len() && o.keys().all(|k| first.contains_key(k)));
    if same_names {
        let mut attrs = BTreeMap::new();
        for name in first.keys() {
            let across: Vec<Type> = objects.iter().map(|o| o[name].ty.clone()).collect();
            attrs.insert(name.clone(), Attr::required(unify(&across)?));
        }
        return Some(Type::Object(attrs));
    }
    let all: Vec<Type> = objects
        .iter()
        .flat_map(|o| o.values().map(|a| a.ty.clone()))
        .collect();
    Some(Type::map(unify(&all)?))
}

fn unify_tuples(tuples: &[&Vec<Type>]) -> Option<Type> {
    let len = tuples[0].len();
    if tuples.iter().all(|t| t.len() == len) {
        let mut elems = Vec::with_capacity(len);
        for i in 0..len {
            let across: Vec<Type> = tuples.iter().map(|t| t[i].clone()).collect();
            elems.push(unify(&across)?);
        }
        return Some(Type::Tuple(elems));
    }
    let all: Vec<Type> = tuples.iter().flat_map(|t| t.iter().cloned()).collect();
    Some(Type::list(unify(&all)?))
}

/// The element type of a `list(any)`, `set(any)` or `map(any)` built from values of `types`:
/// their unification, where `any` is acceptable only if every value's type is unknown.
fn unify_elements(types: &[Type]) -> Option<Type> {
    if types.is_empty() {
        return Some(Type::Any);
    }
    let ty = unify(types)?;
    if ty == Type::Any && types.iter().any(|t| *t != Type::Any) {
        return None;
    }
    Some(ty)
}

/// `types` ordered by cty's preference as a unification result (a stable insertion sort,
/// since the preference is not a total order).
fn preference_order(types: &[Type]) -> Vec<&Type> {
    let mut order: Vec<&Type> = Vec::with_capacity(types.len());
    for ty in types {
        let at = order
            .iter()
            .position(|o| prefer(ty, o) == std::cmp::Ordering::Less)
            .unwrap_or(order.len());
        order.insert(at, ty);
    }
    order
}

/// cty's `compareTypes`: `Less` if `a` is the better unification result.
fn prefer(a: &Type, b: &Type) -> std::cmp::Ordering {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match (a, b) {
        (Type::Any, Type::Any) => return Equal,
        (Type::Any, _) => return Greater,
        (_, Type::Any) => return Less,
        _ if a.is_primitive() && b.is_primitive() => {
            return match (a, b) {
                (Type::String, Type::String) => Equal,
                (Type::String, _) => Less,
                (_, Type::String) => Greater,
                _ => Equal,
            }
        }
        (Type::List(x), Type::List(y))
        | (Type::Set(x), Type::Set(y))
        | (Type::Map(x), Type::Map(y)) => return prefer(x, y),
        _ => {}
    }
    // Collections are preferred over the structural types that convert to them, and lists
    // and tuples over sets.
    let rank = |t: &Type| match t {
        Type::List(_) | Type::Map(_) => 0,
        Type::Tuple(_) | Type::Object(_) => 1,
        Type::Set(_) => 2,
        _ => 3,
    };
    match (a, b) {
        (Type::List(_), Type::Tuple(_))
        | (Type::Tuple(_), Type::List(_))
        | (Type::Map(_), Type::Object(_))
        | (Type::Object(_), Type::Map(_))
        | (Type::Set(_), Type::Tuple(_) | Type::List(_))
        | (Type::Tuple(_) | Type::List(_), Type::Set(_)) => rank(a).cmp(&rank(b)),
        _ => Equal,
    }
}

/// Whether a value of type `from` may convert to `to` (cty's "unsafe" conversions, which may
/// still fail for particular values, like `"abc"` to number).
pub fn convertible(from: &Type, to: &Type) -> bool {
    match (from, to) {
        (_, Type::Any) | (Type::Any, _) => true,
        _ if from == to => true,
        (Type::String, Type::Number | Type::Bool) | (Type::Number | Type::Bool, Type::String) => {
            true
        }
        (Type::Tuple(elems), Type::List(e) | Type::Set(e)) => {
            if **e == Type::Any {
                unify_elements(elems).is_some()
            } else {
                elems.iter().all(|t| convertible(t, e))
            }
        }
        (Type::List(a) | Type::Set(a), Type::List(e) | Type::Set(e)) => convertible(a, e),
        (Type::Object(attrs), Type::Map(e)) => {
            if **e == Type::Any {
                let types: Vec<Type> = attrs.values().map(|a| a.ty.clone()).collect();
                unify_elements(&types).is_some()
            } else {
                attrs.values().all(|a| convertible(&a.ty, e))
            }
        }
        (Type::Map(a), Type::Map(e)) => convertible(a, e),
        (Type::Tuple(a), Type::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| convertible(x, y))
        }
        (Type::Object(got), Type::Object(want)) => {
            want.iter().all(|(name, attr)| match got.get(name) {
                Some(g) => convertible(&g.ty, &attr.ty),
                None => attr.optional,
            })
        }
        (Type::Map(e), Type::Object(want)) => want.values().all(|a| convertible(e, &a.ty)),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Conversion
// ---------------------------------------------------------------------------------------------

/// A collection kind, naming the element type in "incorrect list element type: ...".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionKind {
    List,
    Set,
    Map,
}

/// Where inside the converted value a conversion failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// A tuple or list element: `element 0: `.
    Index(usize),
    /// A map element: `element "key": `.
    Key(String),
    /// An object attribute: `attribute "name": `.
    Attr(String),
    /// Some element of a set being converted to a collection: `incorrect list element type: `.
    ElementType(CollectionKind),
}

/// A failed conversion. Displays as Terraform words it in "Invalid value for variable":
/// `element 0: attribute "name": string required`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvError {
    pub path: Vec<PathStep>,
    pub message: String,
}

impl ConvError {
    fn new(message: impl Into<String>) -> ConvError {
        ConvError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    fn required(ty: &Type) -> ConvError {
        ConvError::new(format!("{ty} required"))
    }

    fn at(mut self, step: PathStep) -> ConvError {
        self.path.insert(0, step);
        self
    }
}

impl fmt::Display for ConvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.path {
            match step {
                PathStep::Index(i) => write!(f, "element {i}: ")?,
                PathStep::Key(k) => write!(f, "element {}: ", quote(k))?,
                PathStep::Attr(a) => write!(f, "attribute {}: ", quote(a))?,
                PathStep::ElementType(kind) => {
                    let noun = match kind {
                        CollectionKind::List => "list",
                        CollectionKind::Set => "set",
                        CollectionKind::Map => "map",
                    };
                    write!(f, "incorrect {noun} element type: ")?
                }
            }
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConvError {}

fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// Converts `value` to type `ty` with Terraform's rules.
///
/// * `any` accepts every value unchanged; null converts to every type and stays null; an
///   unknown value stays unknown.
/// * Sensitive marks survive at every depth: a marked value is unmarked, converted and marked
///   again.
/// * Primitives: numbers and bools become strings; strings become numbers (decimal notation)
///   and bools (`"true"`, `"false"`, and, as cty allows, `"1"`, `"0"`).
/// * A tuple (list value) converts to `list(T)`/`set(T)` element by element; with `T = any`
///   the elements are first unified to one type (`[1, "a"]` becomes `["1", "a"]`). A set
///   converts to a list in its canonical order, a list to a set with duplicates removed.
/// * An object (map value) converts to `map(T)` likewise, and to `object({...})` by keeping the
///   declared attributes: missing required ones are an error, extra ones are dropped, absent or
///   null optional ones take their default (itself converted, so nested defaults apply) or null.
///
/// Deviation: a set whose elements are not all wholly known converts to an unknown value,
/// because [`Value::set`] could not tell unknown elements apart. Likewise a `list(any)`,
/// `set(any)` or `map(any)` whose unification depends on unknown elements (see
/// [`unification_awaits_unknowns`]) converts to an unknown value: Terraform's unknowns carry a
/// type, ours do not.
pub fn convert(value: Value, ty: &Type) -> Result<Value, ConvError> {
    use CollectionKind as Kind;
    match (value, ty) {
        (value, Type::Any) => Ok(value),
        (Value::Sensitive(inner), ty) => convert(*inner, ty).map(|v| v.mark_sensitive(true)),
        (value @ (Value::Unknown | Value::Null), _) => Ok(value),
        (value, ty) if unification_awaits_unknowns(&value, ty) => {
            Ok(Value::Unknown.mark_sensitive(value.contains_sensitive()))
        }
        (value, Type::String) => to_string(value),
        (value, Type::Number) => to_number(value),
        (value, Type::Bool) => to_bool(value),
        (Value::List(items), Type::List(elem)) => {
            sequence(items, elem, Kind::List, false).map(Value::List)
        }
        // Unknown elements may turn out equal to others: the list's length is not known yet.
        (value @ Value::Set(_), Type::List(_)) if !value.is_wholly_known() => {
            Ok(Value::Unknown.mark_sensitive(value.contains_sensitive()))
        }
        (Value::Set(items), Type::List(elem)) => {
            sequence(items, elem, Kind::List, true).map(Value::List)
        }
        (Value::List(items), Type::Set(elem)) => {
            sequence(items, elem, Kind::Set, false).map(to_set)
        }
        (Value::Set(items), Type::Set(elem)) => sequence(items, elem, Kind::Set, true).map(to_set),
        (Value::Map(map), Type::Map(elem)) => to_map(map, elem),
        (Value::List(items), Type::Tuple(elems)) if items.len() == elems.len() => items
            .into_iter()
            .zip(elems)
            .enumerate()
            .map(|(i, (v, t))| convert(v, t).map_err(|e| e.at(PathStep::Index(i))))
            .collect::<Result<_, _>>()
            .map(Value::List),
        (Value::Map(map), Type::Object(attrs)) => to_object(map, attrs),
        (_, ty) => Err(ConvError::required(ty)),
    }
}

/// Whether converting `value` to `ty` unifies element types (`ty` is `list(any)`, `set(any)` or
/// `map(any)`) in a way unknown elements could still change: an unknown may turn out to be a
/// string, and then every known number and bool converts to a string as well (`[1, x]` is
/// `["1", "a"]` if `x` is `"a"`), so no known result would be safe.
fn unification_awaits_unknowns(value: &Value, ty: &Type) -> bool {
    fn has_number_or_bool(v: &Value) -> bool {
        match v.unmarked() {
            Value::Number(_) | Value::Bool(_) => true,
            Value::List(items) | Value::Set(items) => items.iter().any(has_number_or_bool),
            Value::Map(map) => map.values().any(has_number_or_bool),
            _ => false,
        }
    }
    let items: Vec<&Value> = match (value, ty) {
        (Value::List(items) | Value::Set(items), Type::List(elem) | Type::Set(elem))
            if **elem == Type::Any =>
        {
            items.iter().collect()
        }
        (Value::Map(map), Type::Map(elem)) if **elem == Type::Any => map.values().collect(),
        _ => return false,
    };
    items.iter().any(|v| !v.is_wholly_known()) && items.iter().any(|v| has_number_or_bool(v))
}

/// A set of already converted elements; unknown if any element is not wholly known.
fn to_set(items: Vec<Value>) -> Value {
    if items.iter().all(Value::is_wholly_known) {
        Value::set(items)
    } else {
        let sensitive = items.iter().any(Value::contains_sensitive);
        Value::Unknown.mark_sensitive(sensitive)
    }
}

fn to_string(value: Value) -> Result<Value, ConvError> {
    match value.to_template_string() {
        Some(s) => Ok(Value::String(s)),
        None => Err(ConvError::required(&Type::String)),
    }
}

fn to_number(value: Value) -> Result<Value, ConvError> {
    match value {
        Value::Number(_) => Ok(value),
        Value::String(s) => parse_number(&s)
            .map(Value::Number)
            .ok_or_else(|| ConvError::new("a number is required")),
        _ => Err(ConvError::required(&Type::Number)),
    }
}

/// Parses a number the way cty does: decimal notation with optional sign, fraction and
/// exponent; no infinities, NaN, hex or surrounding whitespace.
pub fn parse_number(s: &str) -> Option<f64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let valid = !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if !valid {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn to_bool(value: Value) -> Result<Value, ConvError> {
    match value {
        Value::Bool(_) => Ok(value),
        Value::String(s) => match s.as_str() {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => match s.to_lowercase().as_str() {
                lower @ ("true" | "false") => Err(ConvError::new(format!(
                    "a bool is required; to convert from string, use lowercase \"{lower}\""
                ))),
                _ => Err(ConvError::new("a bool is required")),
            },
        },
        _ => Err(ConvError::required(&Type::Bool)),
    }
}

/// Converts the elements of a tuple or set value to the element type of a list or set.
fn sequence(
    items: Vec<Value>,
    elem: &Type,
    kind: CollectionKind,
    from_set: bool,
) -> Result<Vec<Value>, ConvError> {
    let unified;
    let elem = if *elem == Type::Any {
        let types: Vec<Type> = items.iter().map(type_of).collect();
        unified = unify_elements(&types).ok_or_else(|| {
            ConvError::new(match kind {
                CollectionKind::Set => "all set elements must have the same type",
                _ => "all list elements must have the same type",
            })
        })?;
        &unified
    } else {
        elem
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            convert(v, elem).map_err(|e| {
                e.at(if from_set {
                    PathStep::ElementType(kind)
                } else {
                    PathStep::Index(i)
                })
            })
        })
        .collect()
}

fn to_map(map: BTreeMap<String, Value>, elem: &Type) -> Result<Value, ConvError> {
    let unified;
    let elem = if *elem == Type::Any {
        let types: Vec<Type> = map.values().map(type_of).collect();
        unified = unify_elements(&types)
            .ok_or_else(|| ConvError::new("all map elements must have the same type"))?;
        &unified
    } else {
        elem
    };
    map.into_iter()
        .map(|(k, v)| match convert(v, elem) {
            Ok(v) => Ok((k, v)),
            Err(e) => Err(e.at(PathStep::Key(k))),
        })
        .collect::<Result<_, _>>()
        .map(Value::Map)
}

fn to_object(
    mut map: BTreeMap<String, Value>,
    attrs: &BTreeMap<String, Attr>,
) -> Result<Value, ConvError> {
    let missing: Vec<String> = attrs
        .iter()
        .filter(|(name, attr)| !attr.optional && !map.contains_key(*name))
        .map(|(name, _)| quote(name))
        .collect();
    match missing.as_slice() {
        [] => {}
        [one] => return Err(ConvError::new(format!("attribute {one} is required"))),
        [a, b] => {
            return Err(ConvError::new(format!(
                "attributes {a} and {b} are required"
            )))
        }
        [init @ .., last] => {
            return Err(ConvError::new(format!(
                "attributes {}, and {last} are required",
                init.join(", ")
            )))
        }
    }
    let mut out = BTreeMap::new();
    for (name, attr) in attrs {
        let given = map.remove(name).filter(|v| !(attr.optional && v.is_null()));
        let value = match (given, &attr.default) {
            (Some(v), _) => v,
            (None, Some(default)) => default.clone(),
            (None, None) => Value::Null,
        };
        let value = convert(value, &attr.ty).map_err(|e| e.at(PathStep::Attr(name.clone())))?;
        out.insert(name.clone(), value);
    }
    Ok(Value::Map(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcl::edit::parser::parse_expr;

    fn ty(src: &str) -> Type {
        parse_type_expr(&parse_expr(src).unwrap()).unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    fn ty_err(src: &str) -> TypeExprError {
        match parse_type_expr(&parse_expr(src).unwrap()) {
            Ok(t) => panic!("{src} parsed as {t:?}"),
            Err(e) => e,
        }
    }

    /// The source text an error's span points at.
    fn blamed<'a>(src: &'a str, e: &TypeExprError) -> &'a str {
        &src[e.span.clone().expect("error has a span")]
    }

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    fn n(v: f64) -> Value {
        Value::number(v)
    }

    fn list(items: Vec<Value>) -> Value {
        Value::List(items)
    }

    fn conv(v: Value, t: &str) -> Result<Value, String> {
        convert(v, &ty(t)).map_err(|e| e.to_string())
    }

    // --- parsing ------------------------------------------------------------------------

    #[test]
    fn parses_primitive_keywords() {
        assert_eq!(ty("string"), Type::String);
        assert_eq!(ty("number"), Type::Number);
        assert_eq!(ty("bool"), Type::Bool);
        assert_eq!(ty("any"), Type::Any);
    }

    #[test]
    fn parses_collection_constructors() {
        assert_eq!(ty("list(string)"), Type::list(Type::String));
        assert_eq!(ty("set(number)"), Type::set(Type::Number));
        assert_eq!(ty("map(bool)"), Type::map(Type::Bool));
        assert_eq!(ty("list(any)"), Type::list(Type::Any));
        assert_eq!(
            ty("map(list(set(string)))"),
            Type::map(Type::list(Type::set(Type::String)))
        );
    }

    #[test]
    fn parses_tuple_and_object() {
        assert_eq!(
            ty("tuple([string, number, list(bool)])"),
            Type::Tuple(vec![Type::String, Type::Number, Type::list(Type::Bool)])
        );
        assert_eq!(ty("tuple([])"), Type::Tuple(vec![]));
        assert_eq!(
            ty("object({name = string, ports = list(number)})"),
            Type::object([("name", Type::String), ("ports", Type::list(Type::Number))])
        );
        assert_eq!(ty("object({})"), Type::Object(BTreeMap::new()));
        // Multi-line objects, commas optional, as in real variable blocks.
        let multi = ty("object({\n  a = string\n  b = number\n})");
        assert_eq!(
            multi,
            Type::object([("a", Type::String), ("b", Type::Number)])
        );
    }

    #[test]
    fn parses_optional_attributes_and_defaults() {
        let t = ty(r#"object({
            a = string
            b = optional(number)
            c = optional(string, "x")
            d = optional(list(string), ["p", "q"])
            e = optional(number, "5")
            f = optional(bool, null)
            g = optional(object({ h = optional(number, -1) }), {})
        })"#);
        let Type::Object(attrs) = t else { panic!() };
        assert_eq!(attrs["a"], Attr::required(Type::String));
        assert_eq!(attrs["b"], Attr::optional(Type::Number, None));
        assert_eq!(attrs["c"], Attr::optional(Type::String, Some(s("x"))));
        assert_eq!(
            attrs["d"].default,
            Some(list(vec![s("p"), s("q")])),
            "a tuple default becomes a list"
        );
        assert_eq!(attrs["e"].default, Some(n(5.0)), "defaults are converted");
        assert_eq!(attrs["f"].default, Some(Value::Null));
        assert_eq!(
            attrs["g"].default,
            Some(Value::map([("h", n(-1.0))])),
            "nested defaults fill the default itself"
        );
    }

    #[test]
    fn parses_object_defaults_with_quoted_keys() {
        let t = ty(r#"object({ tags = optional(map(string), { "a:b" = "1", c = 2 }) })"#);
        let Type::Object(attrs) = t else { panic!() };
        assert_eq!(
            attrs["tags"].default,
            Some(Value::map([("a:b", s("1")), ("c", s("2"))]))
        );
    }

    #[test]
    fn parses_legacy_quoted_hints() {
        assert_eq!(ty(r#""string""#), Type::String);
        assert_eq!(ty(r#""list""#), Type::list(Type::Any));
        assert_eq!(ty(r#""map""#), Type::map(Type::Any));
        let src = r#""number""#;
        let e = ty_err(src);
        assert_eq!(e.summary, "Invalid legacy variable type hint");
        assert_eq!(blamed(src, &e), src);
    }

    #[test]
    fn parenthesised_types_are_accepted() {
        assert_eq!(ty("(list((string)))"), Type::list(Type::String));
    }

    #[test]
    fn unknown_keyword_is_blamed_on_itself() {
        let src = "list(strin)";
        let e = ty_err(src);
        assert_eq!(e.summary, "Invalid type specification");
        assert_eq!(
            e.message,
            "The keyword \"strin\" is not a valid type specification."
        );
        assert_eq!(blamed(src, &e), "strin");
    }

    #[test]
    fn spans_are_offsets_into_the_whole_file() {
        let src = "variable \"subnets\" {\n  type = list(object({ cidr = strin }))\n}\n";
        let body = hcl::edit::parser::parse_body(src).unwrap();
        let block = body.get_blocks("variable").next().unwrap();
        let expr = &block.body.get_attribute("type").unwrap().value;
        let e = parse_type_expr(expr).unwrap_err();
        assert_eq!(blamed(src, &e), "strin");
        assert_eq!(e.span, Some(51..56));
    }

    #[test]
    fn unknown_constructor_is_blamed_on_the_call() {
        let src = "map(lst(string))";
        let e = ty_err(src);
        assert_eq!(
            e.message,
            "Keyword \"lst\" is not a valid type constructor."
        );
        assert_eq!(blamed(src, &e), "lst(string)");
    }

    #[test]
    fn bare_list_and_map_are_legacy_shorthands() {
        assert_eq!(ty("list"), Type::list(Type::Any));
        assert_eq!(ty("map"), Type::map(Type::Any));
        // Terraform's shorthand covers the whole constraint only, and not `set`.
        for (src, blame, kw) in [
            ("set", "set", "set"),
            ("list(list)", "list", "list"),
            ("map(map)", "map", "map"),
            ("object({ azs = list })", "list", "list"),
        ] {
            let e = ty_err(src);
            assert_eq!(
                e.message,
                format!(
                    "The {kw} type constructor requires one argument specifying the element type."
                ),
                "{src}"
            );
            assert_eq!(blamed(src, &e), blame, "{src}");
        }
        // Nor in parentheses: hcl.ExprAsKeyword does not see through them.
        ty_err("(map)");
    }

    #[test]
    fn bare_constructors_need_arguments() {
        for (src, msg) in [
            (
                "set",
                "The set type constructor requires one argument specifying the element type.",
            ),
            (
                "set()",
                "The set type constructor requires one argument specifying the element type.",
            ),
            ("object", OBJECT_NEEDS_ARG),
            ("tuple", TUPLE_NEEDS_ARG),
        ] {
            assert_eq!(ty_err(src).message, msg, "{src}");
        }
    }

    #[test]
    fn extra_arguments_are_blamed() {
        let src = "map(string, number, bool)";
        let e = ty_err(src);
        assert_eq!(blamed(src, &e), "number, bool");
    }

    #[test]
    fn primitives_take_no_arguments() {
        let src = "string(1)";
        let e = ty_err(src);
        assert_eq!(
            e.message,
            "Primitive type keyword \"string\" does not expect arguments."
        );
        assert_eq!(blamed(src, &e), "(1)");
        assert_eq!(
            ty_err("any(string)").message,
            "Type constraint keyword \"any\" does not expect arguments."
        );
    }

    #[test]
    fn optional_outside_object_is_rejected() {
        let src = "list(optional(string))";
        let e = ty_err(src);
        assert_eq!(
            e.message,
            "Keyword \"optional\" is valid only as a modifier for object type attributes."
        );
        assert_eq!(blamed(src, &e), "optional");
    }

    #[test]
    fn optional_argument_count_is_checked() {
        assert!(ty_err("object({a = optional()})")
            .message
            .contains("requires the attribute type"));
        assert!(ty_err("object({a = optional(string, \"x\", \"y\")})")
            .message
            .contains("at most two arguments"));
    }

    #[test]
    fn non_literal_default_is_rejected_at_its_span() {
        let src = "object({a = optional(string, var.x)})";
        let e = ty_err(src);
        assert_eq!(e.summary, "Invalid default value for optional attribute");
        assert!(
            e.message.contains("default must be a literal"),
            "{}",
            e.message
        );
        assert_eq!(blamed(src, &e), "var.x");
        assert!(ty_err(r#"object({a = optional(string, "${x}")})"#)
            .message
            .contains("literal"));
        assert!(ty_err("object({a = optional(number, 1 + 1)})")
            .message
            .contains("literal"));
    }

    #[test]
    fn incompatible_default_is_rejected() {
        let src = r#"object({a = optional(number, "many")})"#;
        let e = ty_err(src);
        assert_eq!(
            e.message,
            "This default value is not compatible with the attribute's type constraint: \
             a number is required."
        );
        assert_eq!(blamed(src, &e), r#""many""#);
    }

    #[test]
    fn object_needs_a_map_of_attribute_names() {
        let src = "object([string])";
        let e = ty_err(src);
        assert!(e
            .message
            .starts_with("Object type constructor requires a map"));
        assert_eq!(blamed(src, &e), "[string]");
        let src = r#"object({"a" = string})"#;
        let e = ty_err(src);
        assert_eq!(
            e.message,
            "Object constructor map keys must be attribute names."
        );
        assert_eq!(blamed(src, &e), r#""a""#);
    }

    #[test]
    fn tuple_needs_a_list() {
        let src = "tuple(string)";
        let e = ty_err(src);
        assert_eq!(
            e.message,
            "Tuple type constructor requires a list of element types."
        );
        assert_eq!(blamed(src, &e), "string");
    }

    #[test]
    fn other_expressions_are_not_types() {
        let src = "list(var.x)";
        let e = ty_err(src);
        assert!(e.message.starts_with("A type specification is either"));
        assert_eq!(blamed(src, &e), "var.x");
        assert!(ty_err("5").message.starts_with("A type specification"));
    }

    // --- naming -------------------------------------------------------------------------

    #[test]
    fn display_uses_terraform_friendly_names() {
        assert_eq!(ty("string").to_string(), "string");
        assert_eq!(ty("list(string)").to_string(), "list of string");
        assert_eq!(ty("map(number)").to_string(), "map of number");
        assert_eq!(ty("set(string)").to_string(), "set of string");
        assert_eq!(ty("list(any)").to_string(), "list of any single type");
        assert_eq!(ty("list(map(bool))").to_string(), "list of map of bool");
        assert_eq!(ty("object({a=string})").to_string(), "object");
        assert_eq!(ty("tuple([string])").to_string(), "tuple");
        assert_eq!(ty("any").to_string(), "any type");
        assert_eq!(Type::list(Type::Any).friendly_name(), "list of dynamic");
    }

    #[test]
    fn to_hcl_round_trips() {
        for src in [
            "string",
            "any",
            "list(string)",
            "set(map(number))",
            "tuple([string,bool])",
            "object({a=string,b=optional(number)})",
            r#"object({a=optional(string, "x"),b=optional(list(number), [1, 2]),c=optional(map(string), {"k:1" = "v"})})"#,
        ] {
            assert_eq!(ty(src).to_hcl(), src);
            assert_eq!(ty(&ty(src).to_hcl()), ty(src));
        }
    }

    // --- inference and unification ------------------------------------------------------

    #[test]
    fn type_of_infers_structural_types() {
        let v = Value::map([
            ("a", list(vec![n(1.0), s("x")])),
            ("b", Value::set(vec![s("p")])),
            ("c", Value::Null),
            ("d", Value::Unknown),
            ("e", Value::Bool(true).mark_sensitive(true)),
        ]);
        let Type::Object(attrs) = type_of(&v) else {
            panic!()
        };
        assert_eq!(attrs["a"].ty, Type::Tuple(vec![Type::Number, Type::String]));
        assert_eq!(attrs["b"].ty, Type::set(Type::String));
        assert_eq!(attrs["c"].ty, Type::Any);
        assert_eq!(attrs["d"].ty, Type::Any);
        assert_eq!(attrs["e"].ty, Type::Bool);
    }

    #[test]
    fn unify_follows_cty_preferences() {
        use Type::*;
        assert_eq!(unify(&[Number, String]), Some(String));
        assert_eq!(unify(&[Bool, Number, String]), Some(String));
        assert_eq!(unify(&[Number, Bool]), None);
        assert_eq!(unify(&[Number, Any]), Some(Number));
        assert_eq!(unify(&[]), None);
        let obj = |k: &str, t: Type| Type::object([(k, t)]);
        assert_eq!(
            unify(&[obj("a", Number), obj("a", String)]),
            Some(obj("a", String))
        );
        assert_eq!(
            unify(&[obj("a", Number), obj("b", String)]),
            Some(Type::map(String)),
            "objects with different attributes unify to a map"
        );
        assert_eq!(
            unify(&[Tuple(vec![Number]), Tuple(vec![String, Number])]),
            Some(Type::list(String)),
            "tuples of different lengths unify to a list"
        );
        assert_eq!(unify(&[Tuple(vec![]), obj("a", Number)]), None);
        assert_eq!(unify(&[Number, obj("a", Number)]), None);
    }

    // --- conversion: primitives ---------------------------------------------------------

    #[test]
    fn any_passes_everything_through() {
        let v = list(vec![n(1.0), s("a"), Value::Unknown]);
        assert_eq!(convert(v.clone(), &Type::Any), Ok(v));
    }

    #[test]
    fn null_and_unknown_convert_to_every_type() {
        for t in [
            "string",
            "list(number)",
            "object({a=string})",
            "tuple([bool])",
        ] {
            assert_eq!(conv(Value::Null, t), Ok(Value::Null), "{t}");
            assert_eq!(conv(Value::Unknown, t), Ok(Value::Unknown), "{t}");
        }
    }

    #[test]
    fn primitives_convert_to_string() {
        assert_eq!(conv(n(5.0), "string"), Ok(s("5")));
        assert_eq!(conv(n(1.5), "string"), Ok(s("1.5")));
        assert_eq!(conv(Value::Bool(true), "string"), Ok(s("true")));
        assert_eq!(conv(s("x"), "string"), Ok(s("x")));
        assert_eq!(conv(list(vec![]), "string"), Err("string required".into()));
        assert_eq!(
            conv(Value::map([("a", n(1.0))]), "string"),
            Err("string required".into())
        );
    }

    #[test]
    fn strings_convert_to_numbers() {
        assert_eq!(conv(s("5"), "number"), Ok(n(5.0)));
        assert_eq!(conv(s("-2.5e2"), "number"), Ok(n(-250.0)));
        assert_eq!(conv(s(".5"), "number"), Ok(n(0.5)));
        for bad in ["abc", "", " 5", "inf", "NaN", "0x10", "1_000"] {
            assert_eq!(
                conv(s(bad), "number"),
                Err("a number is required".into()),
                "{bad:?}"
            );
        }
        assert_eq!(
            conv(Value::Bool(true), "number"),
            Err("number required".into())
        );
    }

    #[test]
    fn strings_convert_to_bools() {
        assert_eq!(conv(s("true"), "bool"), Ok(Value::Bool(true)));
        assert_eq!(conv(s("false"), "bool"), Ok(Value::Bool(false)));
        assert_eq!(conv(s("1"), "bool"), Ok(Value::Bool(true)));
        assert_eq!(conv(s("0"), "bool"), Ok(Value::Bool(false)));
        assert_eq!(conv(s("yes"), "bool"), Err("a bool is required".into()));
        assert_eq!(
            conv(s("True"), "bool"),
            Err("a bool is required; to convert from string, use lowercase \"true\"".into())
        );
        assert_eq!(conv(n(1.0), "bool"), Err("bool required".into()));
    }

    // --- conversion: collections --------------------------------------------------------

    #[test]
    fn tuple_converts_to_list_element_by_element() {
        assert_eq!(
            conv(list(vec![n(1.0), s("2")]), "list(string)"),
            Ok(list(vec![s("1"), s("2")]))
        );
        assert_eq!(
            conv(list(vec![s("1"), s("x")]), "list(number)"),
            Err("element 1: a number is required".into())
        );
        assert_eq!(conv(list(vec![]), "list(string)"), Ok(list(vec![])));
    }

    #[test]
    fn list_any_unifies_elements() {
        assert_eq!(
            conv(list(vec![n(1.0), s("a")]), "list(any)"),
            Ok(list(vec![s("1"), s("a")]))
        );
        assert_eq!(
            conv(list(vec![n(1.0), Value::map::<&str>([])]), "list(any)"),
            Err("all list elements must have the same type".into())
        );
        assert_eq!(
            conv(
                list(vec![
                    Value::map([("a", n(1.0))]),
                    Value::map([("b", s("x"))])
                ]),
                "list(any)"
            ),
            Ok(list(vec![
                Value::map([("a", s("1"))]),
                Value::map([("b", s("x"))])
            ])),
            "objects with different attributes become maps of one element type"
        );
        assert_eq!(
            conv(list(vec![Value::Unknown, s("a")]), "list(any)"),
            Ok(list(vec![Value::Unknown, s("a")]))
        );
        assert_eq!(
            conv(list(vec![Value::Null, Value::Unknown]), "list(any)"),
            Ok(list(vec![Value::Null, Value::Unknown]))
        );
        // The unknown may be a string, which would turn the number into "1".
        assert_eq!(
            conv(list(vec![Value::Unknown, n(1.0)]), "list(any)"),
            Ok(Value::Unknown)
        );
        assert_eq!(
            conv(
                list(vec![list(vec![Value::Unknown]), list(vec![n(1.0)])]),
                "list(any)"
            ),
            Ok(Value::Unknown)
        );
        assert_eq!(
            conv(
                Value::map([("a", Value::Unknown), ("b", Value::Bool(true))]),
                "map(any)"
            ),
            Ok(Value::Unknown)
        );
        // ...and number and bool unify only through a string, so this may still be valid.
        assert_eq!(
            conv(
                list(vec![n(1.0), Value::Bool(true), Value::Unknown]),
                "list(any)"
            ),
            Ok(Value::Unknown)
        );
        assert_eq!(
            conv(list(vec![n(1.0), Value::Bool(true)]), "list(any)"),
            Err("all list elements must have the same type".into())
        );
        // A declared element type decides the conversion; unknowns do not matter.
        assert_eq!(
            conv(list(vec![Value::Unknown, n(1.0)]), "list(string)"),
            Ok(list(vec![Value::Unknown, s("1")]))
        );
    }

    #[test]
    fn tuple_converts_to_set_with_duplicates_removed() {
        assert_eq!(
            conv(list(vec![s("b"), s("a"), s("b")]), "set(string)"),
            Ok(Value::Set(vec![s("a"), s("b")]))
        );
        assert_eq!(
            conv(list(vec![n(1.0), s("1")]), "set(any)"),
            Ok(Value::Set(vec![s("1")]))
        );
        assert_eq!(
            conv(list(vec![n(1.0), Value::Bool(true)]), "set(any)"),
            Err("all set elements must have the same type".into())
        );
        assert_eq!(
            conv(list(vec![s("a"), Value::Unknown]), "set(string)"),
            Ok(Value::Unknown),
            "a set with unknown elements is unknown as a whole"
        );
    }

    #[test]
    fn set_converts_to_list_and_back() {
        let set = Value::set(vec![n(2.0), n(1.0)]);
        assert_eq!(
            conv(set.clone(), "list(number)"),
            Ok(list(vec![n(1.0), n(2.0)]))
        );
        assert_eq!(
            conv(set.clone(), "list(string)"),
            Ok(list(vec![s("1"), s("2")]))
        );
        assert_eq!(conv(set.clone(), "set(number)"), Ok(set));
        assert_eq!(
            conv(Value::set(vec![s("x")]), "list(number)"),
            Err("incorrect list element type: a number is required".into())
        );
        assert_eq!(
            conv(Value::set(vec![s("x")]), "list(object({a=string}))"),
            Err("incorrect list element type: object required".into())
        );
        // The unknown may equal "a": one element or two.
        let partly = Value::Set(vec![s("a"), Value::Unknown]);
        assert_eq!(conv(partly.clone(), "list(string)"), Ok(Value::Unknown));
        assert_eq!(conv(partly, "list(any)"), Ok(Value::Unknown));
    }

    #[test]
    fn collection_kind_mismatches_name_the_wanted_type() {
        assert_eq!(
            conv(s("x"), "list(string)"),
            Err("list of string required".into())
        );
        assert_eq!(
            conv(n(1.0), "set(any)"),
            Err("set of any single type required".into())
        );
        assert_eq!(
            conv(list(vec![]), "map(string)"),
            Err("map of string required".into())
        );
        assert_eq!(
            conv(Value::map([("a", n(1.0))]), "list(number)"),
            Err("list of number required".into())
        );
        assert_eq!(
            conv(list(vec![]), "object({})"),
            Err("object required".into())
        );
        assert_eq!(
            conv(Value::map::<&str>([]), "tuple([])"),
            Err("tuple required".into())
        );
    }

    #[test]
    fn object_converts_to_map() {
        let v = Value::map([("a", n(1.0)), ("b", s("x"))]);
        assert_eq!(
            conv(v.clone(), "map(string)"),
            Ok(Value::map([("a", s("1")), ("b", s("x"))]))
        );
        assert_eq!(
            conv(v.clone(), "map(number)"),
            Err("element \"b\": a number is required".into())
        );
        assert_eq!(
            conv(v, "map(any)"),
            Ok(Value::map([("a", s("1")), ("b", s("x"))]))
        );
        assert_eq!(
            conv(Value::map([("a", n(1.0)), ("b", list(vec![]))]), "map(any)"),
            Err("all map elements must have the same type".into())
        );
    }

    #[test]
    fn tuple_converts_to_tuple() {
        assert_eq!(
            conv(list(vec![n(1.0), s("true")]), "tuple([string, bool])"),
            Ok(list(vec![s("1"), Value::Bool(true)]))
        );
        assert_eq!(
            conv(list(vec![n(1.0)]), "tuple([string, bool])"),
            Err("tuple required".into())
        );
        assert_eq!(
            conv(list(vec![n(1.0), s("x")]), "tuple([string, bool])"),
            Err("element 1: a bool is required".into())
        );
    }

    // --- conversion: objects ------------------------------------------------------------

    #[test]
    fn object_drops_extra_attributes() {
        let v = Value::map([("name", s("web")), ("extra", n(1.0))]);
        assert_eq!(
            conv(v, "object({name=string})"),
            Ok(Value::map([("name", s("web"))]))
        );
    }

    #[test]
    fn object_reports_missing_required_attributes() {
        let t = "object({cidr=string, az=string, name=string, tags=optional(map(string))})";
        assert_eq!(
            conv(Value::map([("az", s("a")), ("name", s("n"))]), t),
            Err("attribute \"cidr\" is required".into())
        );
        assert_eq!(
            conv(Value::map([("name", s("n"))]), t),
            Err("attributes \"az\" and \"cidr\" are required".into())
        );
        assert_eq!(
            conv(Value::map::<&str>([]), t),
            Err("attributes \"az\", \"cidr\", and \"name\" are required".into())
        );
    }

    #[test]
    fn required_attribute_may_be_null() {
        assert_eq!(
            conv(Value::map([("a", Value::Null)]), "object({a=string})"),
            Ok(Value::map([("a", Value::Null)]))
        );
    }

    #[test]
    fn optional_attributes_take_defaults_or_null() {
        let t = r#"object({a=optional(string), b=optional(number, 3), c=optional(string, "c")})"#;
        assert_eq!(
            conv(Value::map([("c", Value::Null)]), t),
            Ok(Value::map([
                ("a", Value::Null),
                ("b", n(3.0)),
                ("c", s("c"))
            ])),
            "an explicit null takes the default too"
        );
        assert_eq!(
            conv(Value::map([("b", s("7"))]), t),
            Ok(Value::map([
                ("a", Value::Null),
                ("b", n(7.0)),
                ("c", s("c"))
            ]))
        );
    }

    #[test]
    fn nested_optional_defaults_inside_lists() {
        let t = r#"list(object({
            name = string
            port = optional(number, 80)
            health = optional(object({
                path     = optional(string, "/")
                interval = optional(number, 30)
            }), {})
        }))"#;
        let v = list(vec![
            Value::map([("name", s("web"))]),
            Value::map([
                ("name", s("api")),
                ("port", s("8080")),
                ("health", Value::map([("path", s("/health"))])),
            ]),
        ]);
        let health = |p: &str, i: f64| Value::map([("path", s(p)), ("interval", n(i))]);
        assert_eq!(
            conv(v, t),
            Ok(list(vec![
                Value::map([
                    ("name", s("web")),
                    ("port", n(80.0)),
                    ("health", health("/", 30.0))
                ]),
                Value::map([
                    ("name", s("api")),
                    ("port", n(8080.0)),
                    ("health", health("/health", 30.0))
                ]),
            ]))
        );
    }

    #[test]
    fn nested_errors_carry_their_path() {
        let t = "list(object({name=string, ports=list(number)}))";
        assert_eq!(
            conv(list(vec![Value::map([("name", list(vec![]))])]), t),
            Err("element 0: attribute \"ports\" is required".into())
        );
        assert_eq!(
            conv(
                list(vec![Value::map([
                    ("name", list(vec![])),
                    ("ports", list(vec![]))
                ])]),
                t
            ),
            Err("element 0: attribute \"name\": string required".into())
        );
        let e = convert(
            list(vec![
                Value::map([("name", s("a")), ("ports", list(vec![n(1.0)]))]),
                Value::map([("name", s("b")), ("ports", list(vec![s("x")]))]),
            ]),
            &ty(t),
        )
        .unwrap_err();
        assert_eq!(
            e.path,
            vec![
                PathStep::Index(1),
                PathStep::Attr("ports".into()),
                PathStep::Index(0)
            ]
        );
        assert_eq!(
            e.to_string(),
            "element 1: attribute \"ports\": element 0: a number is required"
        );
    }

    #[test]
    fn map_converts_to_object_and_back() {
        let m = Value::map([("a", s("1"))]);
        assert_eq!(
            conv(m.clone(), "object({a=number})"),
            Ok(Value::map([("a", n(1.0))]))
        );
        assert_eq!(
            conv(m, "map(object({x=string}))"),
            Err("element \"a\": object required".into())
        );
    }

    // --- marks --------------------------------------------------------------------------

    #[test]
    fn sensitive_marks_survive_conversion() {
        let v = n(5.0).mark_sensitive(true);
        assert_eq!(conv(v, "string"), Ok(s("5").mark_sensitive(true)));

        let v = list(vec![s("a"), n(1.0).mark_sensitive(true)]).mark_sensitive(true);
        assert_eq!(
            conv(v, "list(string)"),
            Ok(list(vec![s("a"), s("1").mark_sensitive(true)]).mark_sensitive(true))
        );

        let v = Value::map([("pw", n(1.0).mark_sensitive(true)), ("x", s("y"))]);
        let out = conv(v, "object({pw=string})").unwrap();
        assert_eq!(out, Value::map([("pw", s("1").mark_sensitive(true))]));
        assert!(out.contains_sensitive());
    }

    #[test]
    fn sensitive_elements_still_unify() {
        let v = list(vec![n(1.0).mark_sensitive(true), s("a")]);
        assert_eq!(
            conv(v, "list(any)"),
            Ok(list(vec![s("1").mark_sensitive(true), s("a")]))
        );
    }

    #[test]
    fn sensitive_unknown_stays_sensitive_unknown() {
        let v = Value::Unknown.mark_sensitive(true);
        assert_eq!(conv(v.clone(), "list(string)"), Ok(v));
    }

    #[test]
    fn unknown_elements_survive_inside_known_collections() {
        let v = Value::map([("a", Value::Unknown), ("b", n(1.0))]);
        assert_eq!(
            conv(v, "object({a=string, b=string})"),
            Ok(Value::map([("a", Value::Unknown), ("b", s("1"))]))
        );
    }

    #[test]
    fn convertible_checks_types_without_values() {
        assert!(convertible(&Type::String, &Type::Number));
        assert!(!convertible(&Type::Number, &Type::Bool));
        assert!(convertible(
            &Type::Tuple(vec![Type::Number, Type::String]),
            &Type::list(Type::Any)
        ));
        assert!(!convertible(
            &Type::Tuple(vec![Type::Number, Type::Bool]),
            &Type::list(Type::Any)
        ));
        assert!(convertible(
            &Type::object([("a", Type::Number)]),
            &ty("object({a=string, b=optional(bool)})")
        ));
        assert!(!convertible(
            &Type::object([("b", Type::Number)]),
            &ty("object({a=string})")
        ));
    }
}
