//! The JSON of outputs, built without serde's serializer: `obj!` is a lean
//! `serde_json::json!({...})` for a flat list of fields, each converted with [`IntoJson`].

use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Map, Value as Json};

/// A JSON object of `fields` (taken out of the slice), in key order.
pub(super) fn object(fields: &mut [(&str, Json)]) -> Json {
    let mut map = Map::new();
    for (key, value) in fields {
        map.insert((*key).into(), core::mem::take(value));
    }
    Json::Object(map)
}

/// A value as JSON.
pub(super) trait IntoJson {
    fn into_json(self) -> Json;
}

macro_rules! number {
    ($($t:ty),*) => {$(
        impl IntoJson for $t {
            fn into_json(self) -> Json {
                Json::from(self)
            }
        }
        impl IntoJson for &$t {
            fn into_json(self) -> Json {
                Json::from(*self)
            }
        }
    )*};
}

number!(bool, u32, i16, i32, i64, u64, usize, f64);

impl IntoJson for Json {
    fn into_json(self) -> Json {
        self
    }
}

impl IntoJson for Map<String, Json> {
    fn into_json(self) -> Json {
        Json::Object(self)
    }
}

impl IntoJson for String {
    fn into_json(self) -> Json {
        Json::String(self)
    }
}

impl IntoJson for &String {
    fn into_json(self) -> Json {
        Json::String(self.clone())
    }
}

impl IntoJson for &str {
    fn into_json(self) -> Json {
        Json::String(self.into())
    }
}

impl IntoJson for &&str {
    fn into_json(self) -> Json {
        Json::String((*self).into())
    }
}

impl<T: IntoJson> IntoJson for Option<T> {
    fn into_json(self) -> Json {
        self.map_or(Json::Null, IntoJson::into_json)
    }
}

impl<'a, T> IntoJson for &'a Option<T>
where
    &'a T: IntoJson,
{
    fn into_json(self) -> Json {
        self.as_ref().into_json()
    }
}

impl<T: IntoJson> IntoJson for Vec<T> {
    fn into_json(self) -> Json {
        Json::Array(self.into_iter().map(IntoJson::into_json).collect())
    }
}

impl<'a, T> IntoJson for &'a [T]
where
    &'a T: IntoJson,
{
    fn into_json(self) -> Json {
        Json::Array(self.iter().map(IntoJson::into_json).collect())
    }
}

impl<'a, T> IntoJson for &'a Vec<T>
where
    &'a T: IntoJson,
{
    fn into_json(self) -> Json {
        self.as_slice().into_json()
    }
}

/// `obj!({ "key": value, … })`: an object whose values convert with [`IntoJson`].
macro_rules! obj {
    ({ $($key:literal : $value:expr),* $(,)? }) => {
        $crate::script::run::json::object(&mut [
            $(($key, $crate::script::run::json::IntoJson::into_json($value))),*
        ])
    };
}

pub(super) use obj;
