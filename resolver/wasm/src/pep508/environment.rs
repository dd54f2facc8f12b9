//! The target environment markers are evaluated against (PEP 508's marker variables).

use crate::json::Json;

/// The values of PEP 508's environment markers for one target interpreter and platform, e.g.
/// `python_version: "3.11"`, `sys_platform: "linux"`. The `extra` variable is not part of it: it
/// is given to [`MarkerTree::evaluate`](super::MarkerTree::evaluate) separately.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MarkerEnvironment {
    pub implementation_name: String,
    pub implementation_version: String,
    pub os_name: String,
    pub platform_machine: String,
    pub platform_python_implementation: String,
    pub platform_release: String,
    pub platform_system: String,
    pub platform_version: String,
    pub python_full_version: String,
    pub python_version: String,
    pub sys_platform: String,
}

/// The variable names, as they appear in markers and in the JSON form.
pub const MARKER_VARIABLES: [&str; 11] = [
    "implementation_name",
    "implementation_version",
    "os_name",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "python_full_version",
    "python_version",
    "sys_platform",
];

impl MarkerEnvironment {
    /// Reads a JSON object holding every variable as a string (other members are ignored).
    pub fn from_json(value: &Json) -> Result<MarkerEnvironment, String> {
        if !matches!(value, Json::Obj(_)) {
            return Err(
                "a marker environment is a JSON object of the PEP 508 variables".to_string()
            );
        }
        let field = |name: &str| -> Result<String, String> {
            match value.get(name) {
                Some(Json::Str(s)) => Ok(s.clone()),
                Some(_) => Err(format!("marker environment: '{}' must be a string", name)),
                None => Err(format!("marker environment: '{}' is missing", name)),
            }
        };
        Ok(MarkerEnvironment {
            implementation_name: field("implementation_name")?,
            implementation_version: field("implementation_version")?,
            os_name: field("os_name")?,
            platform_machine: field("platform_machine")?,
            platform_python_implementation: field("platform_python_implementation")?,
            platform_release: field("platform_release")?,
            platform_system: field("platform_system")?,
            platform_version: field("platform_version")?,
            python_full_version: field("python_full_version")?,
            python_version: field("python_version")?,
            sys_platform: field("sys_platform")?,
        })
    }

    /// The JSON form [`from_json`](Self::from_json) reads: every variable, in
    /// [`MARKER_VARIABLES`] order.
    pub fn to_json(&self) -> Json {
        Json::obj(
            MARKER_VARIABLES.iter().map(|name| (*name, Json::str(self.get(name).unwrap_or("")))),
        )
    }

    /// The value of a variable by name (`None` for a name that is not a variable).
    pub fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "implementation_name" => &self.implementation_name,
            "implementation_version" => &self.implementation_version,
            "os_name" => &self.os_name,
            "platform_machine" => &self.platform_machine,
            "platform_python_implementation" => &self.platform_python_implementation,
            "platform_release" => &self.platform_release,
            "platform_system" => &self.platform_system,
            "platform_version" => &self.platform_version,
            "python_full_version" => &self.python_full_version,
            "python_version" => &self.python_version,
            "sys_platform" => &self.sys_platform,
            _ => return None,
        })
    }
}
