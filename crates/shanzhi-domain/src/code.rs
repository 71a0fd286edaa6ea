//! Codes: field-less enums whose variants each have a fixed wire code
//! (`grid_worker`) and, for most, a Chinese label, declared by [`code_enum!`]
//! from a single table so that the code, the label and the list of all
//! variants cannot drift apart; and validated string codes (`string_code!`),
//! which read and write themselves only through their parser.

/// Declares a field-less enum with its codes, from one table:
///
/// - `ALL`: every variant, in the order listed;
/// - `as_str`: the code (the API's, the store's and the exports' name);
/// - `label_zh`: the label, when every variant gives one;
/// - `Display`: writes the code;
/// - `FromStr`, when a `from_str` clause is given: the variant whose code is
///   the key (the input as given, or e.g. trimmed), else the clause's error.
///
/// ```
/// shanzhi_domain::code_enum! {
///     /// A traffic light.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq)]
///     pub enum Light {
///         Red => "red", "红灯";
///         Green => "green", "绿灯";
///     }
///     from_str(s: s.trim()) -> String { format!("unknown light '{s}'") }
/// }
/// assert_eq!(Light::ALL, [Light::Red, Light::Green]);
/// assert_eq!(Light::Green.label_zh(), "绿灯");
/// assert_eq!(" red ".parse::<Light>(), Ok(Light::Red));
/// assert_eq!(Light::Red.to_string(), "red");
/// ```
#[macro_export]
macro_rules! code_enum {
    (@label $name:ident; $($variant:ident $zh:literal),+) => {
        impl $name {
            /// How people say it, in Chinese.
            pub fn label_zh(self) -> &'static str {
                match self {
                    $($name::$variant => $zh,)+
                }
            }
        }
    };
    // No labels: nothing more to declare.
    (@label $name:ident; $($variant:ident),+) => {};
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $code:literal $(, $zh:literal)?;)+
        }
        $(from_str($s:ident: $key:expr) -> $err:ty { $make:expr })?
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every variant, in the order declared.
            pub const ALL: [$name; <[&str]>::len(&[$($code),+])] = [$($name::$variant),+];

            /// The code, as the API, the store and the exports write it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }
        }

        $crate::code_enum!(@label $name; $($variant $($zh)?),+);

        $crate::display_as_str!($name);

        $(
            impl ::core::str::FromStr for $name {
                type Err = $err;
                fn from_str($s: &str) -> ::core::result::Result<Self, Self::Err> {
                    let key: &str = $key;
                    $name::ALL.into_iter().find(|v| v.as_str() == key).ok_or_else(|| $make)
                }
            }
        )?
    };
}

/// `Display` as the code, for types with `as_str(self) -> &'static str`
/// (those of [`code_enum!`] and code types whose variants carry data).
#[macro_export]
macro_rules! display_as_str {
    ($($name:ty),+) => {
        $(
            impl ::core::fmt::Display for $name {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
        )+
    };
}

/// Declares a validated string code, `struct Code(String)`, and what it
/// needs around its parser (`Code::parse(&str) -> Result<Code, $err>`, written
/// beside it): `as_str`, `Display`, `FromStr`, `From<Code> for String`, and
/// serde as the bare string, read back through `parse` so that no unchecked
/// code gets in (`|e| message` gives the deserializer's message for a parse
/// error).
macro_rules! string_code {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident(String);
        parse error $err:ty, deserialize message |$e:ident| $message:expr
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        $vis struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $err;
            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl From<$name> for String {
            fn from(c: $name) -> Self {
                c.0
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).map_err(|$e| ::serde::de::Error::custom($message))
            }
        }
    };
}

pub(crate) use string_code;
