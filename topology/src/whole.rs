//! Whole numbers in JSON request bodies, as JSON Schema counts them: `2.0` is the integer
//! 2 (serde would refuse it as "floating point `2.0`, expected i64"), `2.5` is refused as
//! not a whole number. Put on a field with `#[serde(deserialize_with = "…")]`:
//!
//! ```
//! #[derive(serde::Deserialize)]
//! struct Column {
//!     #[serde(default, deserialize_with = "govnode_topology::whole::number")]
//!     position: i64,
//!     #[serde(default, deserialize_with = "govnode_topology::whole::optional")]
//!     update_interval_days: Option<i64>,
//! }
//! let c: Column = serde_json::from_str(r#"{"position": 2.0, "update_interval_days": null}"#).unwrap();
//! assert_eq!((c.position, c.update_interval_days), (2, None));
//! assert!(serde_json::from_str::<Column>(r#"{"position": 2.5}"#).is_err());
//! ```
//!
//! Only self-describing formats that say they are human-readable (JSON) are read this way;
//! binary formats (postcard, for entries) read the field's own type as before, so a type
//! that is both a request body and a payload keeps its wire format.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, Unexpected, Visitor};

/// What a refusal says was expected.
const EXPECTED: &str = "a whole number";

/// A whole number of type `T` (`i64`, `u32`, `u8`…): a JSON integer, or a float with no
/// fractional part; out of `T`'s range is refused.
pub fn number<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + TryFrom<i128>,
{
    if !d.is_human_readable() {
        return T::deserialize(d);
    }
    d.deserialize_any(WholeVisitor(PhantomData))
}

/// [`number`], or `null`.
pub fn optional<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + TryFrom<i128>,
{
    if !d.is_human_readable() {
        return Option::<T>::deserialize(d);
    }
    d.deserialize_option(Maybe(PhantomData))
}

/// [`number`] for one value of a map or list, read with [`number`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Whole<T>(pub T);

impl<'de, T: Deserialize<'de> + TryFrom<i128>> Deserialize<'de> for Whole<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        number(d).map(Whole)
    }
}

struct WholeVisitor<T>(PhantomData<T>);

impl<T: TryFrom<i128>> WholeVisitor<T> {
    fn fit<E: de::Error>(n: i128, unexpected: Unexpected<'_>) -> Result<T, E> {
        T::try_from(n).map_err(|_| E::invalid_value(unexpected, &"a whole number in range"))
    }
}

impl<T: TryFrom<i128>> Visitor<'_> for WholeVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        Self::fit(i128::from(v), Unexpected::Signed(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        Self::fit(i128::from(v), Unexpected::Unsigned(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        // Beyond ±2^64 no f64 fits any integer type the API uses; inside it, the cast is exact.
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 18_446_744_073_709_551_616.0 {
            Self::fit(v as i128, Unexpected::Float(v))
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &EXPECTED))
        }
    }
}

struct Maybe<T>(PhantomData<T>);

impl<'de, T: TryFrom<i128>> Visitor<'de> for Maybe<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{EXPECTED} or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_any(WholeVisitor(PhantomData)).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Body {
        #[serde(default, deserialize_with = "number")]
        n: i64,
        #[serde(default, deserialize_with = "number")]
        small: u8,
        #[serde(default, deserialize_with = "optional")]
        maybe: Option<u32>,
        #[serde(default)]
        many: Vec<Whole<i64>>,
    }

    fn read(json: &str) -> Result<Body, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn integral_floats_are_whole_numbers() {
        let b = read(r#"{"n": -626474.0, "small": 5.0, "maybe": 2.0, "many": [1, 2.0, -0.0]}"#)
            .unwrap();
        assert_eq!((b.n, b.small, b.maybe), (-626_474, 5, Some(2)));
        assert_eq!(b.many, [Whole(1), Whole(2), Whole(0)]);
        let b = read(r#"{"n": 9007199254740992, "maybe": null}"#).unwrap();
        assert_eq!((b.n, b.maybe), (9_007_199_254_740_992, None));
        assert_eq!(read("{}").unwrap().maybe, None);
    }

    #[test]
    fn fractions_strings_and_out_of_range_are_refused() {
        for (json, says) in [
            (
                r#"{"n": 2.5}"#,
                "floating point `2.5`, expected a whole number",
            ),
            (r#"{"n": 1e300}"#, "expected a whole number"),
            (
                r#"{"n": "2"}"#,
                "invalid type: string \"2\", expected a whole number",
            ),
            (r#"{"n": true}"#, "expected a whole number"),
            (
                r#"{"small": 256}"#,
                "integer `256`, expected a whole number in range",
            ),
            (
                r#"{"small": -1.0}"#,
                "floating point `-1.0`, expected a whole number in range",
            ),
            (r#"{"maybe": 0.5}"#, "expected a whole number"),
            (r#"{"maybe": "x"}"#, "expected a whole number"),
            (r#"{"many": [1.5]}"#, "expected a whole number"),
            (
                r#"{"n": 9223372036854775808}"#,
                "expected a whole number in range",
            ),
        ] {
            let e = read(json).unwrap_err();
            assert!(e.contains(says), "{json}: {e}");
        }
    }
}
