//! The API contract, checked on every response the integration tests receive: the
//! status must be declared for the operation (method and path template) in the
//! OpenAPI document the same server serves, and a JSON body must be valid against the
//! declared schema. So every scenario also keeps the document true.

use jsonschema::Validator;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The document of one server, with the validators compiled so far.
pub struct Contract {
    doc: Value,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

/// What came back, as the checker needs it.
pub struct Answer<'a> {
    pub status: StatusCode,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

impl Contract {
    pub fn new(doc: Value) -> Contract {
        Contract { doc, validators: Mutex::new(HashMap::new()) }
    }

    /// The document as served.
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// Panics with the route, the status and what is wrong when the answer is not
    /// what the document declares.
    pub fn check(&self, method: &Method, target: &str, answer: &Answer<'_>) {
        if let Err(problem) = self.verify(method, target, answer) {
            let shown: String = String::from_utf8_lossy(answer.body).chars().take(400).collect();
            panic!("API contract broken: {problem}\n  body: {shown}");
        }
    }

    /// The same check, returning what is wrong instead of panicking.
    pub fn verify(&self, method: &Method, target: &str, answer: &Answer<'_>) -> Result<(), String> {
        let path = target.split(['?', '#']).next().unwrap_or(target);
        let status = answer.status.as_u16();
        let Some(template) = self.template_for(path) else {
            // Not an operation of the document (unknown paths, the landing page):
            // an error from the API must still have the error body.
            if path.starts_with("/api/") && status >= 400 {
                return self.validate(&format!("{method} {path}"), status, &error_schema(), answer);
            }
            return Ok(());
        };
        let route = format!("{method} {template}");
        let op = &self.doc["paths"][template.as_str()][method.as_str().to_ascii_lowercase()];
        if op.is_null() {
            // A method the path does not take: the router's JSON 405 (or a head limit).
            if matches!(status, 405 | 414 | 431) {
                return self.validate(&route, status, &error_schema(), answer);
            }
            return Err(format!("{route} is not in the document, yet it answered {status}"));
        }
        let Some(mut response) = op["responses"].get(status.to_string()) else {
            return Err(format!("{route} answered {status}, which the document does not declare"));
        };
        if let Some(reference) = response.get("$ref").and_then(Value::as_str) {
            let name = reference.rsplit('/').next().unwrap_or_default();
            response = &self.doc["components"]["responses"][name];
            if response.is_null() {
                return Err(format!("{route} {status}: {reference} names no response in the components"));
            }
        }
        let content = response.get("content").and_then(Value::as_object);
        let Some(content) = content.filter(|c| !c.is_empty()) else {
            if answer.body.is_empty() {
                return Ok(());
            }
            return Err(format!("{route} {status}: the document declares no body, yet one came"));
        };
        let essence = answer.content_type.map(|t| t.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
        let Some(essence) = essence else {
            if answer.body.is_empty() {
                return Err(format!("{route} {status}: the document declares a body, yet none came"));
            }
            return Err(format!("{route} {status}: a body came without a content type"));
        };
        // A declared range (`*/*`, `text/*`) covers every type in it.
        let range = |declared: &str| {
            declared == essence
                || declared == "*/*"
                || declared.strip_suffix("/*").is_some_and(|top| essence.split('/').next() == Some(top))
        };
        let Some(declared) = content.iter().find(|(k, _)| range(k)).map(|(_, v)| v) else {
            let known: Vec<&String> = content.keys().collect();
            return Err(format!("{route} {status}: content type {essence} is not among the declared {known:?}"));
        };
        if essence == "application/json" || essence.ends_with("+json") {
            match declared.get("schema") {
                Some(schema) => self.validate(&route, status, schema, answer),
                None => Ok(()),
            }
        } else {
            Ok(())
        }
    }

    /// The document's path template that `path` is an instance of; literal segments
    /// win over parameters (`/me/threads` over `/{id}/threads`).
    fn template_for(&self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.split('/').collect();
        let paths = self.doc["paths"].as_object()?;
        paths
            .keys()
            .filter_map(|template| {
                let parts: Vec<&str> = template.split('/').collect();
                if parts.len() != segments.len() {
                    return None;
                }
                let mut literal = 0;
                for (part, seg) in parts.iter().zip(&segments) {
                    if part.starts_with('{') && part.ends_with('}') {
                        if seg.is_empty() {
                            return None;
                        }
                    } else if part == seg {
                        literal += 1;
                    } else {
                        return None;
                    }
                }
                Some((literal, template))
            })
            .max_by_key(|(literal, _)| *literal)
            .map(|(_, template)| template.clone())
    }

    fn validate(&self, route: &str, status: u16, schema: &Value, answer: &Answer<'_>) -> Result<(), String> {
        let body: Value = serde_json::from_slice(answer.body).map_err(|e| format!("{route} {status}: the body is not JSON ({e})"))?;
        let validator = self.validator(schema).map_err(|e| format!("{route} {status}: the declared schema does not compile: {e}"))?;
        let errors: Vec<String> = validator.iter_errors(&body).map(|e| format!("at {}: {e}", e.instance_path())).take(5).collect();
        if errors.is_empty() { Ok(()) } else { Err(format!("{route} {status}: the body does not match the schema: {}", errors.join("; "))) }
    }

    /// Compiles a declared schema once per server. `$ref`s point into
    /// `#/components/schemas`, so the components travel inside the compiled schema.
    fn validator(&self, schema: &Value) -> Result<Arc<Validator>, String> {
        let key = schema.to_string();
        let mut cache = self.validators.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(v) = cache.get(&key) {
            return Ok(v.clone());
        }
        let mut full = schema.clone();
        if let Some(obj) = full.as_object_mut() {
            obj.insert("components".into(), serde_json::json!({ "schemas": self.doc["components"]["schemas"].clone() }));
        }
        let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&full).map_err(|e| e.to_string())?;
        let validator = Arc::new(validator);
        cache.insert(key, validator.clone());
        Ok(validator)
    }
}

fn error_schema() -> Value {
    serde_json::json!({ "$ref": "#/components/schemas/ErrorBody" })
}
