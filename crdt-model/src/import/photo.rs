//! Contact photos: what type an image is, and whether it is small enough to keep.

/// The image type from the file's own magic bytes; exporters often omit or garble it.
pub(crate) fn sniff_mime(bytes: &[u8]) -> Option<&'static str> {
    Some(match bytes {
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [b'G', b'I', b'F', b'8', ..] => "image/gif",
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => "image/webp",
        [_, _, _, _, b'f', b't', b'y', b'p', b'h', b'e', b'i', b'c', ..] => "image/heic",
        [b'B', b'M', ..] => "image/bmp",
        [b'I', b'I', b'*', 0, ..] | [b'M', b'M', 0, b'*', ..] => "image/tiff",
        _ => return None,
    })
}

/// A declared type (`TYPE=JPEG`, `image/png`, 4.0 `MEDIATYPE`) as a MIME type.
pub(crate) fn declared_mime(declared: &str) -> Option<String> {
    let d = declared.trim().to_ascii_lowercase();
    if d.is_empty() {
        return None;
    }
    if d.contains('/') {
        return Some(d);
    }
    Some(match d.as_str() {
        "jpeg" | "jpg" => "image/jpeg".to_owned(),
        "png" => "image/png".to_owned(),
        "gif" => "image/gif".to_owned(),
        "webp" => "image/webp".to_owned(),
        "heic" => "image/heic".to_owned(),
        _ => return None,
    })
}

/// The MIME type to store, from the bytes: a declaration alone is not trusted, since
/// bytes that are no image would only break every client that tries to show them.
pub(crate) fn mime_for(bytes: &[u8]) -> Option<&'static str> {
    sniff_mime(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_images_have_a_type() {
        assert_eq!(mime_for(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(mime_for(b"\x89PNG\r\n"), Some("image/png"));
        assert_eq!(mime_for(b"--0412"), None);
        assert_eq!(declared_mime("JPEG").as_deref(), Some("image/jpeg"));
    }
}
