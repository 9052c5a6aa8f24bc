//! Creating an empty Kith document.

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ScalarValue, ROOT};
use chrono::{DateTime, Utc};

use super::transact;
use crate::error::ModelError;
use crate::schema::{DEFAULT_REMINDER_HOUR, SCHEMA_VERSION};

/// A new document: schema 1, settings `{timezone, reminderHour: 9, digest: true}` and empty
/// `contacts`/`interactions`/`notes`/`followUps`/`relationships` maps.
///
/// Every device must start from (a sync of) this one document: if two devices each created
/// the root maps themselves, one device's maps would win and hide the other's records.
pub fn new_document(timezone: &str, now: DateTime<Utc>) -> Result<Automerge, ModelError> {
    timezone
        .parse::<chrono_tz::Tz>()
        .map_err(|_| ModelError::InvalidTimezone(timezone.chars().take(64).collect()))?;
    let mut doc = Automerge::new();
    transact(&mut doc, "Create Kith document".to_owned(), now, |tx| {
        tx.put(ROOT, "schema", ScalarValue::Int(SCHEMA_VERSION))?;
        let settings = tx.put_object(ROOT, "settings", ObjType::Map)?;
        tx.put(&settings, "timezone", timezone)?;
        tx.put(&settings, "reminderHour", ScalarValue::Int(i64::from(DEFAULT_REMINDER_HOUR)))?;
        tx.put(&settings, "digest", true)?;
        for name in ["contacts", "interactions", "notes", "followUps", "relationships"] {
            tx.put_object(ROOT, name, ObjType::Map)?;
        }
        Ok(())
    })?;
    Ok(doc)
}

/// Changes the shared settings; `None` leaves a setting as it is. The zone must be an IANA
/// name and the hour 0–23.
pub fn update_settings(
    doc: &mut Automerge,
    timezone: Option<&str>,
    reminder_hour: Option<u32>,
    digest: Option<bool>,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    if let Some(tz) = timezone {
        tz.parse::<chrono_tz::Tz>()
            .map_err(|_| ModelError::InvalidTimezone(tz.chars().take(64).collect()))?;
    }
    if reminder_hour.is_some_and(|h| h > 23) {
        return Err(ModelError::InvalidInput("reminder hour must be 0-23".into()));
    }
    transact(doc, "Change settings".to_owned(), now, |tx| {
        let settings = super::ensure_map(tx, &ROOT, "settings")?;
        if let Some(tz) = timezone {
            super::put_if_changed(tx, &settings, "timezone", ScalarValue::Str(tz.into()))?;
        }
        if let Some(h) = reminder_hour {
            super::put_if_changed(tx, &settings, "reminderHour", ScalarValue::Int(i64::from(h)))?;
        }
        if let Some(d) = digest {
            super::put_if_changed(tx, &settings, "digest", ScalarValue::Boolean(d))?;
        }
        Ok(())
    })?;
    Ok(())
}
