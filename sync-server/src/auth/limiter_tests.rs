use chrono::TimeZone;

use super::*;

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + secs, 0).single().expect("valid")
}

fn ip(last: u8) -> Option<IpAddr> {
    Some(IpAddr::from([10, 0, 0, last]))
}

/// `n` failed attempts (each simply dropped) from `from`, all at `at`.
fn fail(limiter: &LoginLimiter, account: &str, from: Option<IpAddr>, at: DateTime<Utc>, n: usize) {
    for i in 0..n {
        let attempt = limiter.begin(account, from, at);
        assert!(attempt.is_ok(), "attempt {i} of {n} on {account} from {from:?} refused");
    }
}

#[test]
fn simultaneous_attempts_are_counted_before_any_result() {
    let limiter = LoginLimiter::default();
    // Nothing has finished hashing yet: the attempts are held, none has failed or succeeded.
    let held: Vec<_> = (0..100).filter_map(|_| limiter.begin("a@x.io", ip(1), t(0)).ok()).collect();
    assert_eq!(held.len(), 5, "only the free allowance gets to the hash");
}

#[test]
fn the_owners_own_typos_cost_an_exponential_delay_not_a_lock() {
    let limiter = LoginLimiter::default();
    fail(&limiter, "a@x.io", ip(1), t(0), 5);
    assert_eq!(limiter.begin("a@x.io", ip(1), t(0)).expect_err("waits"), Duration::from_secs(2));
    fail(&limiter, "a@x.io", ip(1), t(2), 1);
    assert_eq!(limiter.begin("a@x.io", ip(1), t(3)).expect_err("waits"), Duration::from_secs(3), "4 s after t=2");
    fail(&limiter, "a@x.io", ip(1), t(6), 1);
    assert_eq!(limiter.begin("a@x.io", ip(1), t(6)).expect_err("waits"), Duration::from_secs(8));
    // the right password clears the key at once
    let attempt = limiter.begin("a@x.io", ip(1), t(14)).expect("allowed after the wait");
    limiter.succeeded(attempt, t(14));
    fail(&limiter, "a@x.io", ip(1), t(15), 5);
}

#[test]
fn delays_stop_doubling_at_the_cap() {
    let limiter = LoginLimiter::default();
    let mut now = 0;
    fail(&limiter, "a@x.io", ip(1), t(now), 5);
    for _ in 0..20 {
        let wait = limiter.begin("a@x.io", ip(1), t(now)).expect_err("waits");
        assert!(wait <= Duration::from_secs(15 * 60), "{wait:?}");
        now += i64::try_from(wait.as_secs()).expect("small");
        fail(&limiter, "a@x.io", ip(1), t(now), 1);
    }
    let wait = limiter.begin("a@x.io", ip(1), t(now)).expect_err("waits");
    assert_eq!(wait, Duration::from_secs(15 * 60));
}

#[test]
fn an_attacker_elsewhere_never_touches_the_owners_key() {
    let limiter = LoginLimiter::default();
    fail(&limiter, "a@x.io", ip(66), t(0), 5);
    assert!(limiter.begin("a@x.io", ip(66), t(1)).is_err(), "the attacker waits");
    let owner = limiter.begin("a@x.io", ip(1), t(1)).expect("the owner does not");
    limiter.succeeded(owner, t(1));
}

#[test]
fn distributed_guessing_stops_new_addresses_but_not_recognised_ones() {
    let policy = LimitPolicy { per_account: 10, ..LimitPolicy::default() };
    let limiter = LoginLimiter::new(policy);
    // The owner has logged in from home before.
    let home = limiter.begin("a@x.io", ip(1), t(0)).expect("first login");
    limiter.succeeded(home, t(0));
    // Ten attackers, one guess each.
    for attacker in 100..110 {
        fail(&limiter, "a@x.io", ip(attacker), t(10), 1);
    }
    assert!(limiter.begin("a@x.io", ip(200), t(11)).is_err(), "an eleventh new address waits");
    let home = limiter.begin("a@x.io", ip(1), t(11)).expect("home is recognised");
    limiter.succeeded(home, t(11));
    // ...but not forever: recognition fades after remember_for.
    let later = t(11 + 31 * 24 * 60 * 60);
    fail(&limiter, "a@x.io", ip(150), later, 1);
    assert!(limiter.begin("a@x.io", ip(1), later).is_ok(), "the attack's failures left the window too");
}

#[test]
fn spraying_from_a_shared_address_spares_accounts_recognised_there() {
    let limiter = LoginLimiter::default();
    let ada = limiter.begin("ada@x.io", ip(1), t(0)).expect("ada logs in");
    limiter.succeeded(ada, t(0));
    for i in 0..20 {
        fail(&limiter, &format!("victim{i}@x.io"), ip(1), t(1), 1);
    }
    assert!(limiter.begin("fresh@x.io", ip(1), t(2)).is_err(), "the spraying address waits");
    assert!(limiter.begin("fresh@x.io", ip(2), t(2)).is_ok(), "other addresses are fine");
    assert!(limiter.begin("fresh@x.io", None, t(2)).is_ok(), "so is an unknown address");
    assert!(limiter.begin("ada@x.io", ip(1), t(2)).is_ok(), "ada logs in from there every day");
}

#[test]
fn a_success_refunds_its_own_slot_but_not_others_failures() {
    let policy = LimitPolicy { per_address: 3, ..LimitPolicy::default() };
    let limiter = LoginLimiter::new(policy);
    fail(&limiter, "b@x.io", ip(1), t(0), 2);
    let ok = limiter.begin("c@x.io", ip(1), t(1)).expect("third attempt from the address");
    limiter.succeeded(ok, t(1));
    // c's success did not count against the address, b's two failures still do
    fail(&limiter, "d@x.io", ip(1), t(2), 1);
    assert!(limiter.begin("e@x.io", ip(1), t(2)).is_err());
}

#[test]
fn no_wait_outlasts_the_failures_it_is_for() {
    let policy = LimitPolicy {
        window: Duration::from_secs(60),
        first_delay: Duration::from_secs(600),
        ..LimitPolicy::default()
    };
    let limiter = LoginLimiter::new(policy);
    fail(&limiter, "a@x.io", ip(1), t(0), 5);
    assert_eq!(limiter.begin("a@x.io", ip(1), t(0)).expect_err("waits"), Duration::from_secs(60));
    assert!(limiter.begin("a@x.io", ip(1), t(60)).is_ok());
}

#[test]
fn ipv6_clients_are_keyed_by_their_64() {
    let a: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
    let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
    let other: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
    assert_eq!(address_key(a), address_key(b));
    assert_ne!(address_key(a), address_key(other));
    let mapped: IpAddr = "::ffff:10.0.0.1".parse().expect("ip");
    assert_eq!(address_key(mapped), IpAddr::from([10, 0, 0, 1]));

    let limiter = LoginLimiter::default();
    fail(&limiter, "a@x.io", Some(a), t(0), 5);
    assert!(limiter.begin("a@x.io", Some(b), t(0)).is_err(), "same /64, same key");
}

#[test]
fn the_address_an_account_was_created_from_is_recognised() {
    let policy = LimitPolicy { per_account: 1, ..LimitPolicy::default() };
    let limiter = LoginLimiter::new(policy);
    limiter.recognise("a@x.io", ip(1), t(0));
    fail(&limiter, "a@x.io", ip(9), t(1), 1);
    assert!(limiter.begin("a@x.io", ip(8), t(1)).is_err(), "new addresses wait");
    assert!(limiter.begin("a@x.io", ip(1), t(1)).is_ok(), "the owner's does not");
}
