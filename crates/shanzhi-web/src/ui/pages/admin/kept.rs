//! What an admin form sent, kept for its answer when it was refused: the
//! form shows the input again and the error beside the field it is about
//! (not only at the top of the page). Passwords are never echoed.

use shanzhi_app::AppError;

use crate::ui::form::FormData;

/// A refusal and the field it is about, when one is known.
pub struct Failed {
    pub error: AppError,
    pub field: Option<&'static str>,
}

impl From<AppError> for Failed {
    fn from(error: AppError) -> Self {
        let field = field_of(error.code());
        Failed { error, field }
    }
}

/// Tie a refusal to `field` (a picker's text box, say).
pub fn at(field: &'static str) -> impl Fn(AppError) -> Failed {
    move |error| Failed { error, field: Some(field) }
}

/// The field an app refusal is about, by its code.
fn field_of(code: &str) -> Option<&'static str> {
    Some(match code {
        "invalid_username" | "username_taken" => "username",
        "invalid_display_name" => "display_name",
        "invalid_phone" => "phone",
        "invalid_work_phone" => "work_phone",
        "weak_password" => "password",
        "invalid_role" => "role",
        "invalid_scope"
        | "missing_scope"
        | "scope_does_not_fit_role"
        | "unknown_scope"
        | "forbidden"
        | "unknown_place"
        | "ambiguous_place"
        | "pick_text_too_long" => "scope_q",
        "invalid_term" | "overlapping_terms" => "from",
        "unknown_parent_category" => "parent",
        "unknown_category" => "category",
        "invalid_department_code" | "department_exists" | "unknown_division" => "code",
        "invalid_name" => "name",
        _ => return None,
    })
}

/// A refused form: its section, its fields and the error by field.
#[derive(Debug, Default)]
pub struct Kept {
    section: String,
    fields: Vec<(String, String)>,
    error: Option<(&'static str, String)>,
}

impl Kept {
    pub fn new(section: &str, form: &FormData, field: Option<&'static str>, message: String) -> Kept {
        let fields = form
            .pairs()
            .iter()
            .filter(|(n, _)| n != "csrf" && n != "password")
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect();
        Kept { section: section.to_owned(), fields, error: field.map(|f| (f, message)) }
    }

    /// Whether `section`'s form is the one kept (to open it, say).
    pub fn is(&self, section: &str) -> bool {
        self.section == section
    }

    /// The value sent for `name` in `section`'s form ("" otherwise).
    pub fn v(&self, section: &str, name: &str) -> &str {
        if self.section != section {
            return "";
        }
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// Whether `value` was sent for `name` (a select's option, a check box).
    pub fn has(&self, section: &str, name: &str, value: &str) -> bool {
        self.section == section && self.fields.iter().any(|(n, v)| n == name && v == value)
    }

    /// The error beside `name` in `section`'s form.
    pub fn err(&self, section: &str, name: &str) -> Option<&str> {
        match &self.error {
            Some((field, message)) if self.section == section && *field == name => Some(message),
            _ => None,
        }
    }
}
