//! Collection functions: `length element concat lookup merge coalesce coalescelist compact
//! distinct flatten keys values contains index slice zipmap range reverse sort chunklist
//! setunion setintersection setsubtract setproduct matchkeys transpose one alltrue anytrue`.
//!
//! Functions that declare `nested_unknown` pass unknown elements through (`element` of an
//! unknown element is unknown, `length([unknown])` is 1); the others let [`super::call`] turn
//! any nested unknown into an unknown result.

use std::collections::BTreeMap;

use super::args::{
    self, elements_as_strings, grapheme_count, invalid, sequence, string, to_bool,
    unify_primitives, value,
};
use super::{FuncContext, FuncError, FuncResult, Function};
use crate::lang::limits;
use crate::lang::value::Value;

pub const FUNCTIONS: &[Function] = &[
    Function::new("length", 1, Some(1), length).with_nested_unknown(),
    Function::new("element", 2, Some(2), element).with_nested_unknown(),
    Function::new("concat", 1, None, concat).with_nested_unknown(),
    Function::new("lookup", 2, Some(3), lookup).with_nested_unknown(),
    Function::new("merge", 0, None, merge).with_nested_unknown(),
    Function::new("coalesce", 1, None, coalesce),
    Function::new("coalescelist", 1, None, coalescelist).with_nested_unknown(),
    Function::new("compact", 1, Some(1), compact),
    Function::new("distinct", 1, Some(1), distinct),
    // An unknown element might itself be a list, so flatten cannot pass unknowns through.
    Function::new("flatten", 1, Some(1), flatten),
    Function::new("keys", 1, Some(1), keys).with_nested_unknown(),
    Function::new("values", 1, Some(1), values).with_nested_unknown(),
    Function::new("contains", 2, Some(2), contains),
    Function::new("index", 2, Some(2), index),
    Function::new("slice", 3, Some(3), slice).with_nested_unknown(),
    Function::new("zipmap", 2, Some(2), zipmap).with_nested_unknown(),
    Function::new("range", 1, Some(3), range),
    Function::new("reverse", 1, Some(1), reverse).with_nested_unknown(),
    Function::new("sort", 1, Some(1), sort),
    Function::new("chunklist", 2, Some(2), chunklist).with_nested_unknown(),
    Function::new("setunion", 1, None, setunion),
    Function::new("setintersection", 1, None, setintersection),
    Function::new("setsubtract", 2, Some(2), setsubtract),
    // Fewer than two sets is reported in Terraform's words, not as an arity error.
    Function::new("setproduct", 0, None, setproduct),
    Function::new("matchkeys", 3, Some(3), matchkeys),
    Function::new("transpose", 1, Some(1), transpose),
    Function::new("one", 1, Some(1), one).with_nested_unknown(),
    Function::new("alltrue", 1, Some(1), alltrue).with_nested_unknown(),
    Function::new("anytrue", 1, Some(1), anytrue).with_nested_unknown(),
];

/// Elements of a list or tuple argument (not a set), with `set_msg` as the error for sets.
fn list_only<'a>(
    args: &'a [Value],
    i: usize,
    param: &str,
    set_msg: &str,
) -> Result<&'a [Value], FuncError> {
    match value(args, i, param)? {
        Value::List(items) => Ok(items),
        Value::Set(_) => Err(invalid(i, param, set_msg)),
        _ => Err(invalid(i, param, "list of any single type required")),
    }
}

fn length(args: &[Value], _: &FuncContext) -> FuncResult {
    let n = match value(args, 0, "value")? {
        Value::String(s) => grapheme_count(s),
        Value::List(items) => items.len(),
        // Unknown elements may turn out equal to others, so the set's size is not known yet.
        Value::Set(items) if !items.iter().all(Value::is_wholly_known) => {
            return Ok(Value::Unknown)
        }
        Value::Set(items) => items.len(),
        Value::Map(map) => map.len(),
        _ => {
            return Err(invalid(
                0,
                "value",
                "argument must be a string, a collection type, or a structural type",
            ))
        }
    };
    Ok(Value::Number(n as f64))
}

fn element(args: &[Value], _: &FuncContext) -> FuncResult {
    let list = list_only(args, 0, "list", "cannot read elements from set")?;
    let index = args::integer(args, 1, "index")?;
    if list.is_empty() {
        return Err(FuncError::arg(
            0,
            "cannot use element function with an empty list",
        ));
    }
    if index < 0 {
        return Err(FuncError::arg(
            1,
            "cannot use element function with a negative index",
        ));
    }
    Ok(list[index as usize % list.len()].clone())
}

fn concat(args: &[Value], _: &FuncContext) -> FuncResult {
    let mut out = Vec::new();
    for i in 0..args.len() {
        match value(args, i, "seqs")? {
            Value::List(items) => out.extend(items.iter().cloned()),
            other => {
                return Err(FuncError::arg(
                    i,
                    format!(
                        "all arguments must be lists or tuples; got {}",
                        other.type_name()
                    ),
                ))
            }
        }
    }
    Ok(Value::List(out))
}

fn lookup(args: &[Value], _: &FuncContext) -> FuncResult {
    let map = value(args, 0, "inputMap")?.as_map().ok_or_else(|| {
        invalid(
            0,
            "inputMap",
            "lookup() requires a map as the first argument",
        )
    })?;
    let key = string(args, 1, "key")?;
    match (map.get(&key), args.get(2)) {
        (Some(found), _) => Ok(found.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(FuncError::call(format!(
            "lookup failed to find key {key:?}"
        ))),
    }
}

fn merge(args: &[Value], _: &FuncContext) -> FuncResult {
    let mut out = BTreeMap::new();
    for (i, arg) in args.iter().enumerate() {
        match arg {
            Value::Null => {}
            Value::Map(map) => out.extend(map.iter().map(|(k, v)| (k.clone(), v.clone()))),
            other => {
                return Err(FuncError::arg(
                    i,
                    format!(
                        "arguments must be maps or objects, got {:?}",
                        other.type_name()
                    ),
                ))
            }
        }
    }
    Ok(Value::Map(out))
}

/// Broad kind of a value for coalesce's "same type" rule.
fn kind(v: &Value) -> u8 {
    match v {
        Value::List(_) | Value::Set(_) => 1,
        Value::Map(_) => 2,
        _ => 0,
    }
}

fn coalesce(args: &[Value], _: &FuncContext) -> FuncResult {
    let mut kinds = args.iter().filter(|v| !v.is_null()).map(kind);
    if let Some(first) = kinds.next() {
        if kinds.any(|k| k != first) {
            return Err(FuncError::call("all arguments must have the same type"));
        }
    }
    unify_primitives(args.to_vec())
        .into_iter()
        .find(|v| !v.is_null() && v.as_str() != Some(""))
        .ok_or_else(|| FuncError::call("no non-null, non-empty-string arguments"))
}

fn coalescelist(args: &[Value], _: &FuncContext) -> FuncResult {
    for (i, arg) in args.iter().enumerate() {
        match arg {
            Value::Null => {}
            Value::List(items) if items.is_empty() => {}
            Value::List(_) => return Ok(arg.clone()),
            _ => {
                return Err(FuncError::arg(
                    i,
                    "coalescelist arguments must be lists or tuples",
                ))
            }
        }
    }
    Err(FuncError::call("no non-null arguments"))
}

fn compact(args: &[Value], _: &FuncContext) -> FuncResult {
    let kept: Vec<Value> = sequence(args, 0, "list")?
        .iter()
        .filter(|v| !v.is_null())
        .cloned()
        .collect();
    let strings = elements_as_strings(&kept, 0, "list")?;
    Ok(args::string_list(
        strings.into_iter().filter(|s| !s.is_empty()),
    ))
}

fn distinct(args: &[Value], _: &FuncContext) -> FuncResult {
    let mut out: Vec<Value> = Vec::new();
    for item in sequence(args, 0, "list")? {
        if !out.iter().any(|seen| seen.equals(item)) {
            out.push(item.clone());
        }
    }
    Ok(Value::List(out))
}

fn flatten_into(items: &[Value], out: &mut Vec<Value>) {
    for item in items {
        match item {
            Value::List(inner) | Value::Set(inner) => flatten_into(inner, out),
            other => out.push(other.clone()),
        }
    }
}

fn flatten(args: &[Value], _: &FuncContext) -> FuncResult {
    let items = value(args, 0, "list")?
        .as_list()
        .ok_or_else(|| FuncError::arg(0, "can only flatten lists, sets and tuples"))?;
    let mut out = Vec::new();
    flatten_into(items, &mut out);
    Ok(Value::List(out))
}

fn keys(args: &[Value], _: &FuncContext) -> FuncResult {
    let map = value(args, 0, "inputMap")?
        .as_map()
        .ok_or_else(|| invalid(0, "inputMap", "must have map or object type"))?;
    Ok(args::string_list(map.keys().cloned()))
}

fn values(args: &[Value], _: &FuncContext) -> FuncResult {
    let map = value(args, 0, "mapping")?
        .as_map()
        .ok_or_else(|| invalid(0, "mapping", "must have map or object type"))?;
    Ok(Value::List(map.values().cloned().collect()))
}

fn contains(args: &[Value], _: &FuncContext) -> FuncResult {
    let items = value(args, 0, "list")?
        .as_list()
        .ok_or_else(|| FuncError::arg(0, "argument must be list, tuple, or set"))?;
    Ok(Value::Bool(items.iter().any(|v| v.equals(&args[1]))))
}

fn index(args: &[Value], _: &FuncContext) -> FuncResult {
    let items = match value(args, 0, "list")? {
        Value::List(items) => items,
        _ => return Err(FuncError::arg(0, "argument must be a list or tuple")),
    };
    if items.is_empty() {
        return Err(FuncError::call("cannot search an empty list"));
    }
    items
        .iter()
        .position(|v| v.equals(&args[1]))
        .map(|i| Value::Number(i as f64))
        .ok_or_else(|| FuncError::call("item not found"))
}

fn slice(args: &[Value], _: &FuncContext) -> FuncResult {
    let list = list_only(
        args,
        0,
        "list",
        "cannot slice a set, because its elements do not have indices",
    )?;
    let start = args::integer(args, 1, "start_index")?;
    let end = args::integer(args, 2, "end_index")?;
    if start < 0 {
        return Err(invalid(
            1,
            "start_index",
            "start index must not be less than zero",
        ));
    }
    if end > list.len() as i64 {
        return Err(invalid(
            2,
            "end_index",
            "end index must not be greater than the length of the list",
        ));
    }
    if start > end {
        return Err(invalid(
            1,
            "start_index",
            "start index must not be greater than end index",
        ));
    }
    Ok(Value::List(list[start as usize..end as usize].to_vec()))
}

fn zipmap(args: &[Value], _: &FuncContext) -> FuncResult {
    let keys = sequence(args, 0, "keys")?;
    let vals = list_only(args, 1, "values", "list of any single type required")?;
    if !keys.iter().all(Value::is_wholly_known) {
        return Ok(Value::Unknown);
    }
    let keys = elements_as_strings(keys, 0, "keys")?;
    if keys.len() != vals.len() {
        return Err(FuncError::call(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            vals.len()
        )));
    }
    Ok(Value::Map(
        keys.into_iter().zip(vals.iter().cloned()).collect(),
    ))
}

fn range(args: &[Value], _: &FuncContext) -> FuncResult {
    let nums = (0..args.len())
        .map(|i| args::number(args, i, "params"))
        .collect::<Result<Vec<f64>, _>>()?;
    let (start, end, step) = match nums[..] {
        [end] => (0.0, end, if end < 0.0 { -1.0 } else { 1.0 }),
        [start, end] => (start, end, if end < start { -1.0 } else { 1.0 }),
        [start, end, step] => (start, end, step),
        _ => return Err(FuncError::call("must have one, two, or three arguments")),
    };
    if step == 0.0 {
        return Err(invalid(2, "params", "step must not be zero"));
    }
    if step < 0.0 && end > start {
        return Err(invalid(
            1,
            "params",
            "end must be less than start when step is negative",
        ));
    }
    if step > 0.0 && end < start {
        return Err(invalid(
            1,
            "params",
            "end must be greater than start when step is positive",
        ));
    }
    let mut out = Vec::new();
    loop {
        let n = start + step * out.len() as f64;
        if (step > 0.0 && n >= end) || (step < 0.0 && n <= end) {
            break;
        }
        if out.len() >= 1024 {
            return Err(FuncError::call(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
            ));
        }
        out.push(Value::Number(n));
    }
    Ok(Value::List(out))
}

fn reverse(args: &[Value], _: &FuncContext) -> FuncResult {
    let list = list_only(
        args,
        0,
        "list",
        "can only reverse list or tuple values, not set",
    )?;
    Ok(Value::List(list.iter().rev().cloned().collect()))
}

fn sort(args: &[Value], _: &FuncContext) -> FuncResult {
    let items = sequence(args, 0, "list")?;
    if let Some(i) = items.iter().position(Value::is_null) {
        return Err(invalid(
            0,
            "list",
            format!("given list element {i} is null; a null string cannot be sorted"),
        ));
    }
    let mut strings = elements_as_strings(items, 0, "list")?;
    strings.sort();
    Ok(args::string_list(strings))
}

fn chunklist(args: &[Value], _: &FuncContext) -> FuncResult {
    let items = sequence(args, 0, "list")?;
    let size = args::integer(args, 1, "size")?;
    if size < 0 {
        return Err(invalid(1, "size", "the size argument must be positive"));
    }
    // Unknown set elements may turn out equal to others: neither the number of elements nor
    // their order is known yet.
    if matches!(args[0], Value::Set(_)) && !args[0].is_wholly_known() {
        return Ok(Value::Unknown);
    }
    if items.is_empty() {
        return Ok(Value::List(vec![]));
    }
    if size == 0 {
        return Ok(Value::List(vec![Value::List(items.to_vec())]));
    }
    Ok(Value::List(
        items
            .chunks(size as usize)
            .map(|c| Value::List(c.to_vec()))
            .collect(),
    ))
}

/// Every argument's elements, with mixed primitives unified to strings.
fn set_args(args: &[Value]) -> Result<Vec<Vec<Value>>, FuncError> {
    let sets = (0..args.len())
        .map(|i| sequence(args, i, "sets").map(<[Value]>::to_vec))
        .collect::<Result<Vec<_>, _>>()?;
    let lens: Vec<usize> = sets.iter().map(Vec::len).collect();
    let mut all = unify_primitives(sets.into_iter().flatten().collect()).into_iter();
    Ok(lens
        .iter()
        .map(|&l| all.by_ref().take(l).collect())
        .collect())
}

fn setunion(args: &[Value], _: &FuncContext) -> FuncResult {
    Ok(Value::set(set_args(args)?.into_iter().flatten().collect()))
}

fn setintersection(args: &[Value], _: &FuncContext) -> FuncResult {
    let sets = set_args(args)?;
    let (first, rest) = sets.split_first().expect("at least one argument");
    let common = first
        .iter()
        .filter(|v| rest.iter().all(|s| s.iter().any(|w| w.equals(v))))
        .cloned()
        .collect();
    Ok(Value::set(common))
}

fn setsubtract(args: &[Value], _: &FuncContext) -> FuncResult {
    let sets = set_args(args)?;
    let remaining = sets[0]
        .iter()
        .filter(|v| !sets[1].iter().any(|w| w.equals(v)))
        .cloned()
        .collect();
    Ok(Value::set(remaining))
}

/// The cartesian product: every combination taking one element from each argument, in the
/// arguments' order. A list of tuples when every argument is a list or tuple, otherwise a set.
fn setproduct(args: &[Value], _: &FuncContext) -> FuncResult {
    if args.len() < 2 {
        return Err(FuncError::call("at least two arguments are required"));
    }
    let mut all_lists = true;
    let mut factors = Vec::with_capacity(args.len());
    for i in 0..args.len() {
        let items = match value(args, i, "sets")? {
            Value::List(items) => items,
            Value::Set(items) => {
                all_lists = false;
                items
            }
            _ => return Err(invalid(i, "sets", "a set or a list is required")),
        };
        let kinds: Vec<u8> = items.iter().filter(|v| !v.is_null()).map(kind).collect();
        if kinds.windows(2).any(|w| w[0] != w[1]) {
            return Err(invalid(i, "sets", "all elements must be of the same type"));
        }
        factors.push(unify_primitives(items.clone()));
    }
    let total = factors
        .iter()
        .try_fold(1usize, |acc, f| acc.checked_mul(f.len()));
    let bytes = total.and_then(|t| t.checked_mul(std::mem::size_of_val(args)));
    if bytes.is_none_or(|b| b > limits::MAX_EXPRESSION_BYTES) {
        return Err(FuncError::call(format!(
            "the product would have {} elements, more than an expression may build",
            total.map_or("too many".to_string(), |t| t.to_string())
        )));
    }
    let mut product: Vec<Vec<Value>> = vec![Vec::with_capacity(args.len())];
    for factor in &factors {
        product = product
            .into_iter()
            .flat_map(|prefix| {
                factor.iter().map(move |item| {
                    let mut combo = prefix.clone();
                    combo.push(item.clone());
                    combo
                })
            })
            .collect();
    }
    let tuples: Vec<Value> = product.into_iter().map(Value::List).collect();
    Ok(if all_lists {
        Value::List(tuples)
    } else {
        Value::set(tuples)
    })
}

/// The elements of `values` whose corresponding element of `keys` is in `searchset`.
fn matchkeys(args: &[Value], _: &FuncContext) -> FuncResult {
    let values = sequence(args, 0, "values")?;
    let keys = sequence(args, 1, "keys")?;
    let searchset = sequence(args, 2, "searchset")?;
    let kinds: Vec<u8> = keys
        .iter()
        .chain(searchset)
        .filter(|v| !v.is_null())
        .map(kind)
        .collect();
    if kinds.windows(2).any(|w| w[0] != w[1]) {
        return Err(FuncError::call(
            "keys and searchset must be of the same type",
        ));
    }
    if values.len() != keys.len() {
        return Err(FuncError::call("length of keys and values should be equal"));
    }
    // Keys and searchset convert to one type first: `[1]` matches `["1"]`.
    let mut unified = unify_primitives(keys.iter().chain(searchset).cloned().collect());
    let search = unified.split_off(keys.len());
    Ok(Value::List(
        values
            .iter()
            .zip(&unified)
            .filter(|(_, key)| search.iter().any(|s| s.equals(key)))
            .map(|(v, _)| v.clone())
            .collect(),
    ))
}

/// Swaps the keys and values of a map of lists of strings; each new list is sorted.
fn transpose(args: &[Value], _: &FuncContext) -> FuncResult {
    let required = || invalid(0, "values", "map of list of string required");
    let map = value(args, 0, "values")?.as_map().ok_or_else(required)?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, list) in map {
        let items = match list {
            Value::Null => return Err(FuncError::call("input must not contain null list")),
            other => other.as_list().ok_or_else(required)?,
        };
        for item in items {
            let text = match item {
                Value::Null => {
                    return Err(FuncError::call("input list must not contain null string"))
                }
                other => other.to_template_string().ok_or_else(required)?,
            };
            out.entry(text).or_default().push(key.clone());
        }
    }
    Ok(Value::Map(
        out.into_iter()
            .map(|(k, mut v)| {
                v.sort();
                (k, args::string_list(v))
            })
            .collect(),
    ))
}

fn one(args: &[Value], _: &FuncContext) -> FuncResult {
    let arg = value(args, 0, "list")?;
    let items = arg.as_list().ok_or_else(|| {
        invalid(
            0,
            "list",
            "must be a list, set, or tuple value with either zero or one elements",
        )
    })?;
    if matches!(arg, Value::Set(_)) && !arg.is_wholly_known() {
        return Ok(Value::Unknown);
    }
    match items {
        [] => Ok(Value::Null),
        [only] => Ok(only.clone()),
        _ => Err(invalid(
            0,
            "list",
            "must be a list, set, or tuple value with either zero or one elements",
        )),
    }
}

/// Elements of a list of bools: `Some(b)`, `None` for null, or `Unknown` as an error-free marker.
fn bools(args: &[Value]) -> Result<Vec<Value>, FuncError> {
    sequence(args, 0, "list")?
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Null | Value::Unknown => Ok(v.clone()),
            other => to_bool(other)
                .map(Value::Bool)
                .ok_or_else(|| invalid(0, "list", format!("element {i}: bool required"))),
        })
        .collect()
}

fn alltrue(args: &[Value], _: &FuncContext) -> FuncResult {
    let items = bools(args)?;
    // Terraform treats a null element as false.
    if items
        .iter()
        .any(|v| matches!(v, Value::Bool(false) | Value::Null))
    {
        return Ok(Value::Bool(false));
    }
    if items.contains(&Value::Unknown) {
        return Ok(Value::Unknown);
    }
    Ok(Value::Bool(true))
}

fn anytrue(args: &[Value], _: &FuncContext) -> FuncResult {
    let items = bools(args)?;
    if items.contains(&Value::Bool(true)) {
        return Ok(Value::Bool(true));
    }
    if items.contains(&Value::Unknown) {
        return Ok(Value::Unknown);
    }
    Ok(Value::Bool(false))
}

#[cfg(test)]
mod tests {
    use super::super::args::testing::{err, n, nums, ok, run, s, strs};
    use crate::lang::value::Value;

    fn map(pairs: &[(&str, Value)]) -> Value {
        Value::map(pairs.iter().cloned())
    }

    #[test]
    fn length_counts_chars_and_elements() {
        assert_eq!(ok("length", vec![s("héllo🤔")]), n(6.0));
        assert_eq!(ok("length", vec![strs(&["a", "b"])]), n(2.0));
        assert_eq!(ok("length", vec![map(&[("a", n(1.0))])]), n(1.0));
        assert_eq!(ok("length", vec![Value::set(vec![n(1.0), n(1.0)])]), n(1.0));
        assert_eq!(
            ok("length", vec![Value::List(vec![Value::Unknown])]),
            n(1.0)
        );
        assert_eq!(
            run("length", vec![Value::Set(vec![Value::Unknown])]).unwrap(),
            Value::Unknown
        );
        assert_eq!(run("length", vec![Value::Unknown]).unwrap(), Value::Unknown);
        assert!(err("length", vec![n(5.0)]).contains("a collection type"));
        assert!(err("length", vec![Value::Null]).contains("must not be null"));
    }

    #[test]
    fn element_wraps_and_passes_unknowns() {
        let l = strs(&["a", "b", "c"]);
        assert_eq!(ok("element", vec![l.clone(), n(1.0)]), s("b"));
        assert_eq!(ok("element", vec![l.clone(), n(3.0)]), s("a"));
        assert_eq!(
            ok("element", vec![Value::List(vec![Value::Unknown]), n(0.0)]),
            Value::Unknown
        );
        assert_eq!(
            err("element", vec![l.clone(), n(-1.0)]),
            "cannot use element function with a negative index"
        );
        assert_eq!(
            err("element", vec![strs(&[]), n(0.0)]),
            "cannot use element function with an empty list"
        );
        assert!(err("element", vec![Value::set(vec![s("a")]), n(0.0)])
            .contains("cannot read elements from set"));
        assert!(err("element", vec![l, n(0.5)]).contains("whole number"));
    }

    #[test]
    fn concat_joins_sequences() {
        assert_eq!(
            ok("concat", vec![strs(&["a"]), strs(&["b", "c"])]),
            strs(&["a", "b", "c"])
        );
        assert_eq!(ok("concat", vec![strs(&[])]), strs(&[]));
        assert_eq!(
            ok(
                "concat",
                vec![Value::List(vec![Value::Unknown]), strs(&["x"])]
            ),
            Value::List(vec![Value::Unknown, s("x")])
        );
        assert_eq!(
            err("concat", vec![strs(&["a"]), s("b")]),
            "all arguments must be lists or tuples; got string"
        );
        assert!(err("concat", vec![Value::set(vec![s("a")])]).contains("got set"));
    }

    #[test]
    fn lookup_with_and_without_default() {
        let m = map(&[("a", s("x")), ("u", Value::Unknown)]);
        assert_eq!(ok("lookup", vec![m.clone(), s("a")]), s("x"));
        assert_eq!(ok("lookup", vec![m.clone(), s("b"), s("d")]), s("d"));
        assert_eq!(ok("lookup", vec![m.clone(), s("u")]), Value::Unknown);
        assert_eq!(
            err("lookup", vec![m.clone(), s("b")]),
            "lookup failed to find key \"b\""
        );
        assert!(err("lookup", vec![strs(&["a"]), s("a")]).contains("requires a map"));
        assert_eq!(
            run("lookup", vec![m, Value::Unknown]).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn merge_later_wins_and_skips_null() {
        let a = map(&[("a", n(1.0)), ("b", n(2.0))]);
        let b = map(&[("b", n(3.0)), ("c", Value::Unknown)]);
        assert_eq!(
            ok("merge", vec![a, Value::Null, b]),
            map(&[("a", n(1.0)), ("b", n(3.0)), ("c", Value::Unknown)])
        );
        assert_eq!(ok("merge", vec![]), map(&[]));
        assert_eq!(
            err("merge", vec![s("x")]),
            "arguments must be maps or objects, got \"string\""
        );
    }

    #[test]
    fn coalesce_picks_first_non_empty() {
        assert_eq!(ok("coalesce", vec![Value::Null, s(""), s("b")]), s("b"));
        assert_eq!(ok("coalesce", vec![n(1.0), n(2.0)]), n(1.0));
        assert_eq!(ok("coalesce", vec![s(""), n(2.0)]), s("2"));
        assert_eq!(
            err("coalesce", vec![Value::Null, s("")]),
            "no non-null, non-empty-string arguments"
        );
        assert_eq!(
            err("coalesce", vec![s("a"), strs(&["b"])]),
            "all arguments must have the same type"
        );
    }

    #[test]
    fn coalescelist_picks_first_non_empty_list() {
        assert_eq!(
            ok("coalescelist", vec![strs(&[]), strs(&["a"])]),
            strs(&["a"])
        );
        assert_eq!(
            ok(
                "coalescelist",
                vec![Value::Null, Value::List(vec![Value::Unknown])]
            ),
            Value::List(vec![Value::Unknown])
        );
        assert_eq!(
            err("coalescelist", vec![strs(&[]), Value::Null]),
            "no non-null arguments"
        );
        assert_eq!(
            err("coalescelist", vec![s("a")]),
            "coalescelist arguments must be lists or tuples"
        );
    }

    #[test]
    fn compact_and_distinct() {
        let l = Value::List(vec![s("a"), s(""), Value::Null, n(1.0)]);
        assert_eq!(ok("compact", vec![l]), strs(&["a", "1"]));
        assert!(err("compact", vec![Value::List(vec![strs(&["x"])])])
            .contains("element 0: string required"));
        assert_eq!(
            ok("distinct", vec![strs(&["b", "a", "b", "c", "a"])]),
            strs(&["b", "a", "c"])
        );
        assert_eq!(ok("distinct", vec![strs(&[])]), strs(&[]));
        assert!(err("distinct", vec![s("x")]).contains("list of any single type required"));
    }

    #[test]
    fn flatten_is_deep() {
        let v = Value::List(vec![
            strs(&["a"]),
            Value::List(vec![Value::List(vec![s("b")]), s("c")]),
            s("d"),
        ]);
        assert_eq!(ok("flatten", vec![v]), strs(&["a", "b", "c", "d"]));
        assert_eq!(
            ok("flatten", vec![Value::List(vec![strs(&[]), strs(&[])])]),
            strs(&[])
        );
        assert_eq!(
            run("flatten", vec![Value::List(vec![Value::Unknown])]).unwrap(),
            Value::Unknown
        );
        assert_eq!(
            err("flatten", vec![s("x")]),
            "can only flatten lists, sets and tuples"
        );
    }

    #[test]
    fn keys_and_values_are_ordered_by_key() {
        let m = map(&[("b", n(2.0)), ("a", Value::Unknown)]);
        assert_eq!(ok("keys", vec![m.clone()]), strs(&["a", "b"]));
        assert_eq!(
            ok("values", vec![m]),
            Value::List(vec![Value::Unknown, n(2.0)])
        );
        assert_eq!(ok("keys", vec![map(&[])]), strs(&[]));
        assert!(err("keys", vec![strs(&["a"])]).contains("must have map or object type"));
        assert!(err("values", vec![s("a")]).contains("must have map or object type"));
    }

    #[test]
    fn contains_and_index() {
        assert_eq!(
            ok("contains", vec![strs(&["a", "b"]), s("b")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("contains", vec![nums(&[1.0]), s("1")]),
            Value::Bool(false)
        );
        assert_eq!(
            ok("contains", vec![Value::set(vec![n(1.0)]), n(1.0)]),
            Value::Bool(true)
        );
        assert_eq!(
            err("contains", vec![s("a"), s("a")]),
            "argument must be list, tuple, or set"
        );
        assert_eq!(ok("index", vec![strs(&["a", "b", "c"]), s("b")]), n(1.0));
        assert_eq!(err("index", vec![strs(&["a"]), s("z")]), "item not found");
        assert_eq!(
            err("index", vec![strs(&[]), s("z")]),
            "cannot search an empty list"
        );
        assert_eq!(
            err("index", vec![Value::set(vec![s("a")]), s("a")]),
            "argument must be a list or tuple"
        );
    }

    #[test]
    fn slice_bounds() {
        let l = strs(&["a", "b", "c", "d"]);
        assert_eq!(
            ok("slice", vec![l.clone(), n(1.0), n(3.0)]),
            strs(&["b", "c"])
        );
        assert_eq!(ok("slice", vec![l.clone(), n(2.0), n(2.0)]), strs(&[]));
        assert_eq!(
            ok(
                "slice",
                vec![Value::List(vec![Value::Unknown, s("x")]), n(0.0), n(1.0)]
            ),
            Value::List(vec![Value::Unknown])
        );
        assert!(
            err("slice", vec![l.clone(), n(-1.0), n(2.0)]).contains("must not be less than zero")
        );
        assert!(err("slice", vec![l.clone(), n(0.0), n(5.0)]).contains("greater than the length"));
        assert!(err("slice", vec![l, n(3.0), n(2.0)]).contains("greater than end index"));
        assert!(err("slice", vec![Value::set(vec![s("a")]), n(0.0), n(1.0)])
            .contains("cannot slice a set"));
    }

    #[test]
    fn zipmap_pairs_keys_with_values() {
        assert_eq!(
            ok(
                "zipmap",
                vec![strs(&["a", "b"]), Value::List(vec![n(1.0), Value::Unknown])]
            ),
            map(&[("a", n(1.0)), ("b", Value::Unknown)])
        );
        assert_eq!(ok("zipmap", vec![strs(&[]), strs(&[])]), map(&[]));
        assert_eq!(
            run(
                "zipmap",
                vec![Value::List(vec![Value::Unknown]), nums(&[1.0])]
            )
            .unwrap(),
            Value::Unknown
        );
        assert_eq!(
            err("zipmap", vec![strs(&["a"]), nums(&[])]),
            "number of keys (1) does not match number of values (0)"
        );
    }

    #[test]
    fn range_forms_and_limits() {
        assert_eq!(ok("range", vec![n(3.0)]), nums(&[0.0, 1.0, 2.0]));
        assert_eq!(ok("range", vec![n(1.0), n(4.0)]), nums(&[1.0, 2.0, 3.0]));
        assert_eq!(ok("range", vec![n(4.0), n(1.0)]), nums(&[4.0, 3.0, 2.0]));
        assert_eq!(ok("range", vec![n(-2.0)]), nums(&[0.0, -1.0]));
        assert_eq!(
            ok("range", vec![n(0.0), n(1.0), n(0.25)]),
            nums(&[0.0, 0.25, 0.5, 0.75])
        );
        assert_eq!(
            ok("range", vec![n(10.0), n(0.0), n(-4.0)]),
            nums(&[10.0, 6.0, 2.0])
        );
        assert_eq!(ok("range", vec![n(0.0)]), nums(&[]));
        assert!(err("range", vec![n(0.0), n(5.0), n(0.0)]).contains("step must not be zero"));
        assert!(err("range", vec![n(0.0), n(5.0), n(-1.0)]).contains("end must be less than start"));
        assert!(
            err("range", vec![n(5.0), n(0.0), n(1.0)]).contains("end must be greater than start")
        );
        assert!(err("range", vec![n(2000.0)]).starts_with("more than 1024 values"));
    }

    #[test]
    fn reverse_and_sort() {
        assert_eq!(
            ok("reverse", vec![Value::List(vec![s("a"), Value::Unknown])]),
            Value::List(vec![Value::Unknown, s("a")])
        );
        assert_eq!(ok("reverse", vec![strs(&[])]), strs(&[]));
        assert!(err("reverse", vec![Value::set(vec![s("a")])])
            .contains("can only reverse list or tuple values"));
        assert_eq!(
            ok("sort", vec![strs(&["e", "d", "a", "x"])]),
            strs(&["a", "d", "e", "x"])
        );
        assert_eq!(
            ok("sort", vec![nums(&[10.0, 9.0, 1.0])]),
            strs(&["1", "10", "9"])
        );
        assert!(err("sort", vec![Value::List(vec![s("a"), Value::Null])])
            .contains("given list element 1 is null"));
    }

    #[test]
    fn chunklist_splits() {
        let l = strs(&["a", "b", "c"]);
        assert_eq!(
            ok("chunklist", vec![l.clone(), n(2.0)]),
            Value::List(vec![strs(&["a", "b"]), strs(&["c"])])
        );
        assert_eq!(
            ok("chunklist", vec![l.clone(), n(0.0)]),
            Value::List(vec![l.clone()])
        );
        assert_eq!(
            ok("chunklist", vec![strs(&[]), n(2.0)]),
            Value::List(vec![])
        );
        assert!(err("chunklist", vec![l, n(-1.0)]).contains("the size argument must be positive"));
        assert_eq!(
            ok(
                "chunklist",
                vec![Value::Set(vec![s("a"), Value::Unknown]), n(1.0)]
            ),
            Value::Unknown,
            "the unknown may equal \"a\", leaving one chunk"
        );
        assert_eq!(
            ok(
                "chunklist",
                vec![Value::List(vec![s("a"), Value::Unknown]), n(1.0)]
            ),
            Value::List(vec![strs(&["a"]), Value::List(vec![Value::Unknown])])
        );
    }

    #[test]
    fn setproduct_combines_in_order() {
        let sets =
            |items: &[&[&str]]| Value::set(items.iter().map(|t| strs(t)).collect::<Vec<_>>());
        assert_eq!(
            ok(
                "setproduct",
                vec![strs(&["development", "staging"]), strs(&["app1", "app2"])]
            ),
            Value::List(vec![
                strs(&["development", "app1"]),
                strs(&["development", "app2"]),
                strs(&["staging", "app1"]),
                strs(&["staging", "app2"]),
            ])
        );
        // A set anywhere makes the result a set.
        assert_eq!(
            ok(
                "setproduct",
                vec![Value::set(vec![s("b"), s("a")]), strs(&["x"])]
            ),
            sets(&[&["a", "x"], &["b", "x"]])
        );
        assert_eq!(
            ok("setproduct", vec![strs(&["a"]), strs(&[]), strs(&["b"])]),
            Value::List(vec![])
        );
        assert_eq!(
            ok("setproduct", vec![Value::set(vec![]), strs(&["b"])]),
            Value::Set(vec![])
        );
        assert_eq!(
            ok(
                "setproduct",
                vec![Value::List(vec![n(1.0), s("a")]), strs(&["b"])]
            ),
            Value::List(vec![strs(&["1", "b"]), strs(&["a", "b"])])
        );
        assert_eq!(
            err("setproduct", vec![strs(&["a"])]),
            "at least two arguments are required"
        );
        assert_eq!(
            err("setproduct", vec![strs(&["a"]), s("b")]),
            "Invalid value for \"sets\" parameter: a set or a list is required."
        );
        assert_eq!(
            err(
                "setproduct",
                vec![strs(&["a"]), Value::List(vec![s("a"), strs(&["b"])])]
            ),
            "Invalid value for \"sets\" parameter: all elements must be of the same type."
        );
        let big = Value::List((0..2000).map(|i| n(i as f64)).collect());
        assert!(err("setproduct", vec![big.clone(), big.clone(), big])
            .contains("more than an expression may build"));
    }

    #[test]
    fn matchkeys_selects_by_key() {
        assert_eq!(
            ok(
                "matchkeys",
                vec![
                    strs(&["i-123", "i-abc", "i-def"]),
                    strs(&["us-west", "us-east", "us-east"]),
                    strs(&["us-east"])
                ]
            ),
            strs(&["i-abc", "i-def"])
        );
        assert_eq!(
            ok(
                "matchkeys",
                vec![strs(&["a", "b"]), nums(&[1.0, 2.0]), strs(&["2"])]
            ),
            strs(&["b"])
        );
        assert_eq!(
            ok("matchkeys", vec![strs(&["a"]), strs(&["k"]), strs(&[])]),
            strs(&[])
        );
        assert_eq!(
            err(
                "matchkeys",
                vec![strs(&["a", "b"]), strs(&["k"]), strs(&["k"])]
            ),
            "length of keys and values should be equal"
        );
        assert_eq!(
            err(
                "matchkeys",
                vec![strs(&["a"]), strs(&["k"]), Value::List(vec![strs(&["k"])])]
            ),
            "keys and searchset must be of the same type"
        );
    }

    #[test]
    fn transpose_swaps_keys_and_values() {
        let input = Value::map([
            ("a", strs(&["1", "2"])),
            ("b", strs(&["2", "3"])),
            ("c", strs(&["3"])),
        ]);
        assert_eq!(
            ok("transpose", vec![input]),
            Value::map([
                ("1", strs(&["a"])),
                ("2", strs(&["a", "b"])),
                ("3", strs(&["b", "c"])),
            ])
        );
        let input = Value::map([
            ("z", strs(&["x"])),
            ("a", Value::List(vec![s("x"), n(1.0)])),
        ]);
        assert_eq!(
            ok("transpose", vec![input]),
            Value::map([("1", strs(&["a"])), ("x", strs(&["a", "z"]))])
        );
        assert_eq!(
            ok("transpose", vec![Value::map::<&str>([])]),
            Value::map::<&str>([])
        );
        assert_eq!(
            err("transpose", vec![Value::map([("a", Value::Null)])]),
            "input must not contain null list"
        );
        assert_eq!(
            err(
                "transpose",
                vec![Value::map([("a", Value::List(vec![Value::Null]))])]
            ),
            "input list must not contain null string"
        );
        assert_eq!(
            err("transpose", vec![strs(&["a"])]),
            "Invalid value for \"values\" parameter: map of list of string required."
        );
    }

    #[test]
    fn set_operations() {
        assert_eq!(
            ok("setunion", vec![strs(&["b", "a"]), strs(&["a", "c"])]),
            Value::set(vec![s("a"), s("b"), s("c")])
        );
        assert_eq!(
            ok("setunion", vec![strs(&["a"]), nums(&[1.0])]),
            Value::set(vec![s("1"), s("a")])
        );
        assert_eq!(
            ok(
                "setintersection",
                vec![
                    strs(&["a", "b", "c"]),
                    strs(&["b", "c", "d"]),
                    strs(&["c", "b"])
                ]
            ),
            Value::set(vec![s("b"), s("c")])
        );
        assert_eq!(
            ok("setintersection", vec![strs(&["a"]), strs(&[])]),
            Value::set(vec![])
        );
        assert_eq!(
            ok("setsubtract", vec![strs(&["a", "b"]), strs(&["b"])]),
            Value::set(vec![s("a")])
        );
        assert!(err("setunion", vec![s("a")]).contains("list of any single type required"));
    }

    #[test]
    fn one_returns_only_element() {
        assert_eq!(ok("one", vec![strs(&[])]), Value::Null);
        assert_eq!(ok("one", vec![strs(&["a"])]), s("a"));
        assert_eq!(
            ok("one", vec![Value::List(vec![Value::Unknown])]),
            Value::Unknown
        );
        assert_eq!(
            ok("one", vec![Value::Set(vec![Value::Unknown])]),
            Value::Unknown
        );
        assert!(err("one", vec![strs(&["a", "b"])]).contains("either zero or one elements"));
        assert!(err("one", vec![s("a")]).contains("either zero or one elements"));
    }

    #[test]
    fn alltrue_anytrue() {
        let b = Value::Bool;
        assert_eq!(
            ok("alltrue", vec![Value::List(vec![b(true), s("true")])]),
            b(true)
        );
        assert_eq!(ok("alltrue", vec![Value::List(vec![])]), b(true));
        assert_eq!(
            ok("alltrue", vec![Value::List(vec![Value::Unknown, b(false)])]),
            b(false)
        );
        assert_eq!(
            ok("alltrue", vec![Value::List(vec![Value::Unknown, b(true)])]),
            Value::Unknown
        );
        assert_eq!(
            ok("alltrue", vec![Value::List(vec![Value::Null])]),
            b(false)
        );
        assert_eq!(
            ok("anytrue", vec![Value::List(vec![Value::Unknown, b(true)])]),
            b(true)
        );
        assert_eq!(
            ok("anytrue", vec![Value::List(vec![Value::Unknown, b(false)])]),
            Value::Unknown
        );
        assert_eq!(ok("anytrue", vec![Value::List(vec![])]), b(false));
        assert!(
            err("anytrue", vec![Value::List(vec![n(1.0)])]).contains("element 0: bool required")
        );
    }
}
