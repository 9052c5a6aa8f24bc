use uuid::Uuid;

use super::*;

const TTL: Duration = Duration::from_secs(30);

fn session() -> ([u8; 32], CachedSession) {
    let hash = *Uuid::new_v4().as_bytes();
    let mut token = [0u8; 32];
    token[..16].copy_from_slice(&hash);
    let s = CachedSession {
        user_id: UserId(Uuid::new_v4()),
        session_id: SessionId(Uuid::new_v4()),
        doc_id: DocId(*Uuid::new_v4().as_bytes()),
    };
    (token, s)
}

fn filled(cache: &SessionCache, now: Instant) -> ([u8; 32], CachedSession) {
    let (token, s) = session();
    cache.fill(cache.permit(), token, s, now);
    (token, s)
}

#[test]
fn a_confirmed_token_is_known_until_its_ttl() {
    let cache = SessionCache::new(TTL, 100);
    let t0 = Instant::now();
    let (token, s) = filled(&cache, t0);
    assert_eq!(cache.get(&token, t0 + TTL - Duration::from_millis(1)), Some(s));
    assert_eq!(cache.doc_of(s.user_id, t0), Some(s.doc_id));
    assert_eq!(cache.get(&token, t0 + TTL), None, "expired");
    assert_eq!(cache.doc_of(s.user_id, t0 + TTL), None);
}

#[test]
fn an_ended_session_is_forgotten_at_once_and_only_it() {
    let cache = SessionCache::new(TTL, 100);
    let now = Instant::now();
    let (a, sa) = filled(&cache, now);
    let (b, sb) = filled(&cache, now);
    cache.forget_sessions(&[sa.session_id]);
    assert_eq!(cache.get(&a, now), None);
    assert_eq!(cache.get(&b, now), Some(sb));
}

#[test]
fn a_deleted_user_loses_every_session_and_the_doc() {
    let cache = SessionCache::new(TTL, 100);
    let now = Instant::now();
    let (a, sa) = filled(&cache, now);
    let (b, mut sb) = session();
    sb.user_id = sa.user_id;
    cache.fill(cache.permit(), b, sb, now);
    let (c, sc) = filled(&cache, now);
    cache.forget_user(sa.user_id);
    assert_eq!((cache.get(&a, now), cache.get(&b, now)), (None, None));
    assert_eq!(cache.doc_of(sa.user_id, now), None);
    assert_eq!(cache.get(&c, now), Some(sc));
}

#[test]
fn a_lookup_that_raced_a_sign_out_does_not_fill() {
    // The extractor took its permit and read the row; then the session was deleted and
    // forgotten; then the extractor tries to remember what it read.
    let cache = SessionCache::new(TTL, 100);
    let now = Instant::now();
    let (token, s) = session();
    let permit = cache.permit();
    cache.forget_sessions(&[s.session_id]);
    cache.fill(permit, token, s, now);
    assert_eq!(cache.get(&token, now), None);
    // A lookup that starts afterwards may fill again.
    cache.fill(cache.permit(), token, s, now);
    assert_eq!(cache.get(&token, now), Some(s));
}

#[test]
fn the_cache_never_holds_more_than_its_capacity() {
    let cache = SessionCache::new(TTL, 8);
    let now = Instant::now();
    let mut last = None;
    for _ in 0..100 {
        last = Some(filled(&cache, now));
        assert!(cache.len() <= 8, "{} entries", cache.len());
    }
    let (token, s) = last.expect("filled");
    assert_eq!(cache.get(&token, now), Some(s), "the newest entry is kept");
}

#[test]
fn a_zero_ttl_turns_it_off() {
    let cache = SessionCache::new(Duration::ZERO, 100);
    let now = Instant::now();
    let (token, _) = filled(&cache, now);
    assert!(cache.is_empty());
    assert_eq!(cache.get(&token, now), None);
}
