//! Declarative macros that declare each FA(3) sequence, choice and enumeration
//! once and generate the Rust type, its reader and its writer in schema order.
//!
//! Field syntax inside [`xml_seq!`] (`T` is the Rust type, `"X"` the XSD name):
//!
//! | syntax | XSD | Rust |
//! |---|---|---|
//! | `f: one T = "X",` | `X` (1) | `T` |
//! | `f: opt T = "X",` | `X` (0..1) | `Option<T>` |
//! | `f: vec T = "X" (min, max),` | `X` (min..max) | `Vec<T>` |
//! | `f: group T,` | an inline sequence/choice (1) | `T`, flattened in JSON |
//! | `f: opt_group T,` | an inline sequence/choice (0..1) | `Option<T>`, flattened in JSON |

/// Declares a sequence struct and its [`Content`](crate::xml::read::Content) impl.
macro_rules! xml_seq {
    (
        $(#[$m:meta])*
        pub struct $name:ident { $($body:tt)* }
    ) => {
        $crate::xml::macros::xml_seq!(@struct [$(#[$m])*] $name [] [$($body)*]);
        $crate::xml::macros::xml_seq!(@impl $name [$($body)*]);
    };

    (@struct [$($m:tt)*] $name:ident [$($done:tt)*] []) => {
        $($m)*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name { $($done)* }
    };
    (@struct $m:tt $name:ident [$($done:tt)*]
        [$(#[$fm:meta])* $f:ident : one $ty:ty = $xml:literal, $($rest:tt)*]) => {
        $crate::xml::macros::xml_seq!(@struct $m $name [$($done)*
            $(#[$fm])* #[serde(rename = $xml)] pub $f: $ty,
        ] [$($rest)*]);
    };
    (@struct $m:tt $name:ident [$($done:tt)*]
        [$(#[$fm:meta])* $f:ident : opt $ty:ty = $xml:literal, $($rest:tt)*]) => {
        $crate::xml::macros::xml_seq!(@struct $m $name [$($done)*
            $(#[$fm])*
            #[serde(rename = $xml, default, skip_serializing_if = "Option::is_none")]
            pub $f: Option<$ty>,
        ] [$($rest)*]);
    };
    (@struct $m:tt $name:ident [$($done:tt)*]
        [$(#[$fm:meta])* $f:ident : vec $ty:ty = $xml:literal (1, $max:literal), $($rest:tt)*]) => {
        // A required repeated element is a required JSON key too.
        $crate::xml::macros::xml_seq!(@struct $m $name [$($done)*
            $(#[$fm])*
            #[serde(rename = $xml)]
            pub $f: Vec<$ty>,
        ] [$($rest)*]);
    };
    (@struct $m:tt $name:ident [$($done:tt)*]
        [$(#[$fm:meta])* $f:ident : vec $ty:ty = $xml:literal ($min:literal, $max:literal), $($rest:tt)*]) => {
        $crate::xml::macros::xml_seq!(@struct $m $name [$($done)*
            $(#[$fm])*
            #[serde(rename = $xml, default, skip_serializing_if = "Vec::is_empty")]
            pub $f: Vec<$ty>,
        ] [$($rest)*]);
    };
    (@struct $m:tt $name:ident [$($done:tt)*]
        [$(#[$fm:meta])* $f:ident : group $ty:ty, $($rest:tt)*]) => {
        $crate::xml::macros::xml_seq!(@struct $m $name [$($done)*
            $(#[$fm])* #[serde(flatten)] pub $f: $ty,
        ] [$($rest)*]);
    };
    (@struct $m:tt $name:ident [$($done:tt)*]
        [$(#[$fm:meta])* $f:ident : opt_group $ty:ty, $($rest:tt)*]) => {
        $crate::xml::macros::xml_seq!(@struct $m $name [$($done)*
            $(#[$fm])*
            #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
            pub $f: Option<$ty>,
        ] [$($rest)*]);
    };

    (@impl $name:ident [$(
        $(#[$fm:meta])* $f:ident : $kind:ident $ty:ty $(= $xml:literal $(($min:literal, $max:literal))?)?,
    )*]) => {
        impl $crate::xml::read::Content for $name {
            #[allow(unused_variables)]
            fn starts(name: &str) -> bool {
                $(
                    if $crate::xml::macros::field!(starts name; $kind $ty $(= $xml $(($min, $max))?)?) {
                        return true;
                    }
                    if !$crate::xml::macros::field!(nullable; $kind $ty $(= $xml $(($min, $max))?)?) {
                        return false;
                    }
                )*
                false
            }
            fn nullable() -> bool {
                true $(&& $crate::xml::macros::field!(nullable; $kind $ty $(= $xml $(($min, $max))?)?))*
            }
            #[allow(unused_variables)]
            fn first_names(out: &mut Vec<&'static str>) {
                $(
                    $crate::xml::macros::field!(firsts out; $kind $ty $(= $xml $(($min, $max))?)?);
                    if !$crate::xml::macros::field!(nullable; $kind $ty $(= $xml $(($min, $max))?)?) {
                        return;
                    }
                )*
            }
            #[allow(unused_variables)]
            fn read(
                cur: &mut $crate::xml::read::Cursor<'_, '_>,
            ) -> Result<Self, $crate::xml::ReadError> {
                Ok(Self {
                    $($f: $crate::xml::macros::field!(read cur; $kind $ty $(= $xml $(($min, $max))?)?),)*
                })
            }
            #[allow(unused_variables)]
            fn write(
                &self,
                w: &mut $crate::xml::write::Writer,
            ) -> Result<(), $crate::xml::WriteError> {
                $($crate::xml::macros::field!(write w, &self.$f; $kind $ty $(= $xml $(($min, $max))?)?);)*
                Ok(())
            }
        }
    };
}
pub(crate) use xml_seq;

/// Per-field-kind code used by [`xml_seq!`].
macro_rules! field {
    (starts $n:ident; one $ty:ty = $xml:literal) => {
        $n == $xml
    };
    (starts $n:ident; opt $ty:ty = $xml:literal) => {
        $n == $xml
    };
    (starts $n:ident; vec $ty:ty = $xml:literal ($min:literal, $max:literal)) => {
        $n == $xml
    };
    (starts $n:ident; group $ty:ty) => {
        <$ty as $crate::xml::read::Content>::starts($n)
    };
    (starts $n:ident; opt_group $ty:ty) => {
        <$ty as $crate::xml::read::Content>::starts($n)
    };

    (firsts $o:ident; one $ty:ty = $xml:literal) => {
        $o.push($xml)
    };
    (firsts $o:ident; opt $ty:ty = $xml:literal) => {
        $o.push($xml)
    };
    (firsts $o:ident; vec $ty:ty = $xml:literal ($min:literal, $max:literal)) => {
        $o.push($xml)
    };
    (firsts $o:ident; group $ty:ty) => {
        <$ty as $crate::xml::read::Content>::first_names($o)
    };
    (firsts $o:ident; opt_group $ty:ty) => {
        <$ty as $crate::xml::read::Content>::first_names($o)
    };

    (nullable; one $ty:ty = $xml:literal) => {
        false
    };
    (nullable; opt $ty:ty = $xml:literal) => {
        true
    };
    (nullable; vec $ty:ty = $xml:literal ($min:literal, $max:literal)) => {
        $min == 0
    };
    (nullable; group $ty:ty) => {
        <$ty as $crate::xml::read::Content>::nullable()
    };
    (nullable; opt_group $ty:ty) => {
        true
    };

    (read $c:ident; one $ty:ty = $xml:literal) => {
        $crate::xml::read::read_one::<$ty>($c, $xml)?
    };
    (read $c:ident; opt $ty:ty = $xml:literal) => {
        $crate::xml::read::read_opt::<$ty>($c, $xml)?
    };
    (read $c:ident; vec $ty:ty = $xml:literal ($min:literal, $max:literal)) => {
        $crate::xml::read::read_vec::<$ty>($c, $xml, $min, $max)?
    };
    (read $c:ident; group $ty:ty) => {
        <$ty as $crate::xml::read::Content>::read($c)?
    };
    (read $c:ident; opt_group $ty:ty) => {
        $crate::xml::read::read_opt_group::<$ty>($c)?
    };

    (write $w:ident, $v:expr; one $ty:ty = $xml:literal) => {
        $crate::xml::read::XmlValue::write_elem($v, $xml, $w)?
    };
    (write $w:ident, $v:expr; opt $ty:ty = $xml:literal) => {
        if let Some(x) = $v {
            $crate::xml::read::XmlValue::write_elem(x, $xml, $w)?;
        }
    };
    (write $w:ident, $v:expr; vec $ty:ty = $xml:literal ($min:literal, $max:literal)) => {
        for (i, x) in $v.iter().enumerate() {
            $w.set_index(i + 1);
            $crate::xml::read::XmlValue::write_elem(x, $xml, $w)?;
        }
    };
    (write $w:ident, $v:expr; group $ty:ty) => {
        $crate::xml::read::Content::write($v, $w)?
    };
    (write $w:ident, $v:expr; opt_group $ty:ty) => {
        if let Some(x) = $v {
            $crate::xml::read::Content::write(x, $w)?;
        }
    };
}
pub(crate) use field;

/// Declares an XSD choice as an untagged enum and its
/// [`Content`](crate::xml::read::Content) impl.
///
/// Variants are either `elem V { f: T = "X" }` (one element) or `seq V(T)` (an
/// inline sequence declared with [`xml_seq!`]).
macro_rules! xml_choice {
    (
        $(#[$m:meta])*
        pub enum $name:ident { $($body:tt)* }
    ) => {
        $crate::xml::macros::xml_choice!(@enum [$(#[$m])*] $name [] [$($body)*]);
        $crate::xml::macros::xml_choice!(@impl $name [$($body)*]);
    };

    (@enum [$($m:tt)*] $name:ident [$($done:tt)*] []) => {
        $($m)*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(untagged)]
        pub enum $name { $($done)* }
    };
    (@enum $m:tt $name:ident [$($done:tt)*]
        [$(#[$vm:meta])* elem $v:ident { $f:ident : $ty:ty = $xml:literal }, $($rest:tt)*]) => {
        $crate::xml::macros::xml_choice!(@enum $m $name [$($done)*
            $(#[$vm])*
            $v {
                #[doc = concat!("`", $xml, "`.")]
                #[serde(rename = $xml)]
                $f: $ty,
            },
        ] [$($rest)*]);
    };
    (@enum $m:tt $name:ident [$($done:tt)*]
        [$(#[$vm:meta])* seq $v:ident ($ty:ty), $($rest:tt)*]) => {
        $crate::xml::macros::xml_choice!(@enum $m $name [$($done)*
            $(#[$vm])* $v($ty),
        ] [$($rest)*]);
    };

    (@impl $name:ident [$(
        $(#[$vm:meta])* $kind:ident $v:ident $({ $f:ident : $fty:ty = $xml:literal })? $(($ty:ty))?,
    )*]) => {
        impl $crate::xml::read::Content for $name {
            fn starts(name: &str) -> bool {
                false $(|| $crate::xml::macros::variant!(starts name; $kind $({ $fty = $xml })? $(($ty))?))*
            }
            fn nullable() -> bool {
                false $(|| $crate::xml::macros::variant!(nullable; $kind $({ $fty = $xml })? $(($ty))?))*
            }
            fn first_names(out: &mut Vec<&'static str>) {
                $($crate::xml::macros::variant!(firsts out; $kind $({ $fty = $xml })? $(($ty))?);)*
            }
            fn read(
                cur: &mut $crate::xml::read::Cursor<'_, '_>,
            ) -> Result<Self, $crate::xml::ReadError> {
                let next = cur.peek_name().unwrap_or("");
                $(
                    if $crate::xml::macros::variant!(starts next; $kind $({ $fty = $xml })? $(($ty))?) {
                        return Ok($crate::xml::macros::variant!(read cur; $kind $v $({ $f: $fty = $xml })? $(($ty))?));
                    }
                )*
                let mut names = Vec::new();
                <Self as $crate::xml::read::Content>::first_names(&mut names);
                Err(cur.unexpected($crate::xml::read::alternatives(&names)))
            }
            fn write(
                &self,
                w: &mut $crate::xml::write::Writer,
            ) -> Result<(), $crate::xml::WriteError> {
                $(
                    $crate::xml::macros::variant!(write self, w; $kind $v $({ $f: $fty = $xml })? $(($ty))?);
                )*
                Ok(())
            }
        }
    };
}
pub(crate) use xml_choice;

/// Per-variant-kind code used by [`xml_choice!`].
macro_rules! variant {
    (starts $n:ident; elem { $fty:ty = $xml:literal }) => {
        $n == $xml
    };
    (starts $n:ident; seq ($ty:ty)) => {
        <$ty as $crate::xml::read::Content>::starts($n)
    };
    (nullable; elem { $fty:ty = $xml:literal }) => {
        false
    };
    (nullable; seq ($ty:ty)) => {
        <$ty as $crate::xml::read::Content>::nullable()
    };
    (firsts $o:ident; elem { $fty:ty = $xml:literal }) => {
        $o.push($xml)
    };
    (firsts $o:ident; seq ($ty:ty)) => {
        <$ty as $crate::xml::read::Content>::first_names($o)
    };
    (read $c:ident; elem $v:ident { $f:ident : $fty:ty = $xml:literal }) => {
        Self::$v {
            $f: $crate::xml::read::read_one::<$fty>($c, $xml)?,
        }
    };
    (read $c:ident; seq $v:ident ($ty:ty)) => {
        Self::$v(<$ty as $crate::xml::read::Content>::read($c)?)
    };
    (write $s:ident, $w:ident; elem $v:ident { $f:ident : $fty:ty = $xml:literal }) => {
        if let Self::$v { $f } = $s {
            $crate::xml::read::XmlValue::write_elem($f, $xml, $w)?;
        }
    };
    (write $s:ident, $w:ident; seq $v:ident ($ty:ty)) => {
        if let Self::$v(x) = $s {
            $crate::xml::read::Content::write(x, $w)?;
        }
    };
}
pub(crate) use variant;

/// Declares an XSD enumeration: the enum, `as_str`, `VALUES`, `FromStr`,
/// `Display`, serde (as the XSD literal) and the XML text mapping.
macro_rules! xsd_enum {
    (
        $(#[$m:meta])*
        pub enum $name:ident = $xsd:literal {
            $($(#[$vm:meta])* $v:ident = $lit:expr,)*
        }
    ) => {
        $(#[$m])*
        // Closed XSD value sets: exhaustive matching is allowed on purpose.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vm])* $v,)*
        }

        impl $name {
            /// Every value, in schema order.
            pub const VALUES: &'static [Self] = &[$(Self::$v,)*];

            /// The XSD literal of this value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$v => $lit,)*
                }
            }
        }

        impl core::str::FromStr for $name {
            type Err = $crate::fa3::ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::VALUES
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::fa3::ParseEnumError::new($xsd, s))
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl $crate::xml::read::XmlText for $name {
            fn parse_text(s: &str) -> Result<Self, String> {
                $crate::xml::text::parse_enum_lexical(s, |c| c.parse::<Self>().ok())
                    .ok_or_else(|| $crate::fa3::ParseEnumError::new($xsd, s).to_string())
            }
            fn to_text(&self) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(self.as_str())
            }
        }
        $crate::xml::text::text_value!($name);
    };
}
pub(crate) use xsd_enum;

/// Declares a code list (an XSD enumeration whose literals are valid Rust
/// identifiers, such as ISO 4217 currency codes) via [`xsd_enum!`].
macro_rules! xsd_codes {
    (
        $(#[$m:meta])*
        pub enum $name:ident = $xsd:literal { $($v:ident)* }
    ) => {
        $crate::xml::macros::xsd_enum! {
            $(#[$m])*
            #[allow(clippy::upper_case_acronyms)]
            pub enum $name = $xsd {
                $(#[doc = concat!("`", stringify!($v), "`")] $v = stringify!($v),)*
            }
        }
    };
}
pub(crate) use xsd_codes;
