"""Settings: defaults that run on a fresh checkout, TOML and environment, errors naming the key."""

from pathlib import Path

import pytest

from acs.config import ConfigError, Scheme, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "acs.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_use_embedded_sqlite_and_dev_ranges():
    """With no file and no environment, the ACS uses ./var/acs.db and the two dev ranges."""
    settings = load_settings(environ={})
    assert settings.database_url == "sqlite+aiosqlite:///./var/acs.db"
    assert settings.keys_dir == "./var/keys"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.range_for("4970101234567890").scheme is Scheme.VISA
    assert settings.range_for("5132851234567890").scheme is Scheme.MASTERCARD
    assert settings.range_for("4000000000000002") is None


def test_file_then_environment_then_overrides(tmp_path):
    """The file sets values, ACS_DATABASE_URL wins over it, CLI overrides win over both."""
    path = write(
        tmp_path,
        'database_url = "sqlite+aiosqlite:///a.db"\nport = 9000\nacs_operator_id = "OP-7"\n'
        "[risk]\nlow_value_max_count = 3\n"
        '[[card_ranges]]\nstart = "4970100000000000"\nend = "4970100999999999"\n'
        'scheme = "visa"\n',
    )
    env = {"ACS_DATABASE_URL": "postgresql+asyncpg://u@h/db"}
    settings = load_settings(path, environ=env, port=9100)
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert settings.port == 9100
    assert settings.acs_operator_id == "OP-7"
    assert settings.risk.low_value_max_count == 3
    assert len(settings.card_ranges) == 1


def test_acs_config_environment_variable_names_the_file(tmp_path):
    """ACS_CONFIG is read when --config is not given."""
    path = write(tmp_path, "port = 8123\n")
    assert load_settings(environ={"ACS_CONFIG": str(path)}).port == 8123


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("prot = 80\n", "prot"),
        ('port = "eighty"\n', "port"),
        ("[risk]\nlow_value_max_minor = 30.5\n", "risk.low_value_max_minor"),
        ("[risk]\nlow_valu = 1\n", "risk.low_valu"),
        (
            '[[card_ranges]]\nstart = "49701"\nend = "4970109999999999"\nscheme = "visa"\n',
            "card_ranges[0].start",
        ),
        (
            '[[card_ranges]]\nstart = "4970100000000000"\nend = "4970109999999999"\n'
            'scheme = "amex"\n',
            "card_ranges[0].scheme",
        ),
        ("port = \n", "config"),
        ("challenge_timeout_seconds = 900\n", "challenge_timeout_seconds"),
        ('sms_gateway = "pigeon"\n', "sms_gateway"),
        ('sms_gateway = "webhook"\n', "sms_webhook_url"),
        ("results_give_up_hours = 0\n", "results_give_up_hours"),
        ("results_give_up_hours = nan\n", "results_give_up_hours"),
        ('results_give_up_hours = "1d"\n', "results_give_up_hours"),
        ("db_connect_timeout_seconds = 0\n", "db_connect_timeout_seconds"),
        ('db_pool_timeout_seconds = "3s"\n', "db_pool_timeout_seconds"),
        ("db_statement_timeout_seconds = 301\n", "db_statement_timeout_seconds"),
        ("max_pending_operations = 0\n", "max_pending_operations"),
        ('max_operations_per_10_minutes = "10"\n', "max_operations_per_10_minutes"),
        ('push_limit_action = "block"\n', "push_limit_action"),
        ("activation_codes_per_hour = 0\n", "activation_codes_per_hour"),
        ("enrolment_calls_per_address_per_hour = 0\n", "enrolment_calls_per_address_per_hour"),
        ('trusted_proxies = "10.0.0.0/8"\n', "trusted_proxies"),
        ('trusted_proxies = ["10.0.0.1/8"]\n', "trusted_proxies"),
        ('trusted_proxies = ["proxy.bank.example"]\n', "trusted_proxies"),
        ("trusted_proxies = [1]\n", "trusted_proxies"),
    ],
)
def test_a_wrong_config_names_the_bad_key(tmp_path, text, key):
    """Every bad key or value stops loading with a ConfigError naming it."""
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), environ={})
    assert caught.value.key == key
    assert key in str(caught.value)


def test_missing_config_file_is_a_clear_error(tmp_path):
    """A --config path that does not exist is reported, not a traceback."""
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_database_timeouts_are_a_few_seconds_by_default_and_configurable(tmp_path):
    """The database timeouts default to a few seconds and a file can set them (integers too)."""
    defaults = load_settings(environ={})
    assert 0 < defaults.db_connect_timeout_seconds <= 5
    assert 0 < defaults.db_pool_timeout_seconds <= 5
    assert 0 < defaults.db_statement_timeout_seconds <= 10
    path = write(tmp_path, "db_connect_timeout_seconds = 2\ndb_statement_timeout_seconds = 1.5\n")
    settings = load_settings(path, environ={})
    assert (settings.db_connect_timeout_seconds, settings.db_statement_timeout_seconds) == (2, 1.5)


def test_trusted_proxies_are_networks(tmp_path):
    """``trusted_proxies`` takes addresses and CIDRs, IPv4 and IPv6; none by default."""
    assert load_settings(environ={}).proxy_networks == ()
    path = write(tmp_path, 'trusted_proxies = ["10.0.0.0/8", "2001:db8::1"]\n')
    networks = load_settings(path, environ={}).proxy_networks
    assert [str(n) for n in networks] == ["10.0.0.0/8", "2001:db8::1/128"]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('log_level = "LOUD"', "log_level"),
        ('public_base_url = "not a url"', "public_base_url"),
        ('public_base_url = "ftp://acs.bank.example"', "public_base_url"),
        ('public_base_url = "https://acs.bank.example/?x=1"', "public_base_url"),
        ("shutdown_grace_seconds = 0", "shutdown_grace_seconds"),
    ],
)
def test_log_level_base_url_and_grace_are_checked_like_the_other_keys(tmp_path, text, key):
    """A log level that does not exist or a base URL that is not an http(s) origin stops
    start-up with a ConfigError naming the key, like every other key."""
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, text + "\n"), environ={})
    assert raised.value.key == key


def test_a_lower_case_log_level_and_a_base_url_with_a_path_are_fine(tmp_path):
    """`info` is INFO; acsURL may live under a path prefix."""
    path = write(tmp_path, 'log_level = "info"\npublic_base_url = "https://bank.example/acs/"\n')
    settings = load_settings(path, environ={})
    assert settings.base_url == "https://bank.example/acs"


def test_the_banking_table(tmp_path):
    """[banking]: clients, callback URL prefixes and secret, the types SMS may approve."""
    settings = load_settings(write(tmp_path, """
[banking]
clients = ["banxo-online-banking"]
callback_urls = ["https://bank.internal/acs/"]
callback_secret = "s3cret-s3cret-s3cret"
sms_types = ["login", "transfer"]
refusal_blocks_account = true
max_wait_seconds = 20
"""), environ={})  # fmt: skip
    banking = settings.banking
    assert banking.clients == ("banxo-online-banking",)
    assert banking.callback_urls == ("https://bank.internal/acs/",)
    assert banking.sms_types == ("login", "transfer") and banking.refusal_blocks_account
    assert banking.max_wait_seconds == 20
    assert settings.identity_provider.banking_audience == "acs-banking"
    assert "view_card_pin" not in load_settings(environ={}).banking.sms_types


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[banking]\nmax_wait_seconds = 600", "banking.max_wait_seconds"),
        ("[banking]\ncallback_urls = [\"ftp://x\"]", "banking.callback_urls"),
        ("[banking]\ndefault_ttl_seconds = 1000\nmax_ttl_seconds = 600",
         "banking.default_ttl_seconds"),
        ("[banking]\nsms_types = [\"view_card_pin\"]", "banking.sms_types"),
        ("[banking]\ncolour = 1", "banking.colour"),
    ],
)  # fmt: skip
def test_a_wrong_banking_setting_names_its_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, text), environ={})
    assert raised.value.key == key
