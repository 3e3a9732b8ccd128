from lgnet_notifications.domain.channels import (
    DEFAULT_FAILOVER_ORDER,
    Channel,
    ChannelChoice,
    ContactData,
    NoChannelReason,
    OptOuts,
    SkipReason,
    choose_channels,
)

PHONE, EMAIL, CF = "+393331234567", "amina@example.org", "RSSMRA85T10A562S"
EVERYTHING = ContactData(phone_e164=PHONE, email=EMAIL, fiscal_code=CF)


def test_default_order_is_sms_email_app_io() -> None:
    choice = choose_channels(consent=True, contact=EVERYTHING)
    assert choice.channels == DEFAULT_FAILOVER_ORDER == (Channel.SMS, Channel.EMAIL, Channel.APP_IO)
    assert choice.reason is None
    assert choice.any


def test_preference_comes_first_then_configured_order() -> None:
    contact = ContactData(phone_e164=PHONE, email=EMAIL, fiscal_code=CF, preferred=(Channel.APP_IO,))
    assert choose_channels(consent=True, contact=contact).channels == (
        Channel.APP_IO,
        Channel.SMS,
        Channel.EMAIL,
    )


def test_configured_order_limits_the_channels() -> None:
    contact = ContactData(phone_e164=PHONE, email=EMAIL, fiscal_code=CF, preferred=(Channel.APP_IO,))
    choice = choose_channels(consent=True, contact=contact, failover_order=(Channel.EMAIL, Channel.SMS))
    assert choice.channels == (Channel.EMAIL, Channel.SMS)


def test_no_consent_means_no_channel() -> None:
    choice = choose_channels(consent=False, contact=EVERYTHING)
    assert choice == ChannelChoice(channels=(), reason=NoChannelReason.NO_CONSENT)
    assert choose_channels(consent=False, contact=EVERYTHING, requires_consent=False).any


def test_global_stop_means_no_channel() -> None:
    choice = choose_channels(consent=True, contact=EVERYTHING, opt_outs=OptOuts(everything=True))
    assert choice.channels == ()
    assert choice.reason is NoChannelReason.GLOBAL_OPT_OUT


def test_channel_opt_out_skips_only_that_channel() -> None:
    choice = choose_channels(
        consent=True, contact=EVERYTHING, opt_outs=OptOuts(channels=frozenset({Channel.SMS}))
    )
    assert choice.channels == (Channel.EMAIL, Channel.APP_IO)
    assert choice.skipped == ((Channel.SMS, SkipReason.OPTED_OUT),)


def test_missing_or_malformed_contact_data_is_skipped() -> None:
    contact = ContactData(phone_e164="3331234567", email="not-an-email", fiscal_code="12345678901")
    choice = choose_channels(consent=True, contact=contact)
    assert choice.channels == ()
    assert choice.reason is NoChannelReason.NO_CONTACT_DATA
    assert {why for _, why in choice.skipped} == {SkipReason.NO_CONTACT_DATA}


def test_all_reachable_channels_opted_out() -> None:
    contact = ContactData(phone_e164=PHONE)
    choice = choose_channels(
        consent=True, contact=contact, opt_outs=OptOuts(channels=frozenset({Channel.SMS}))
    )
    assert choice.reason is NoChannelReason.ALL_CHANNELS_OPTED_OUT


def test_omocodia_fiscal_code_reaches_app_io_and_lowercase_is_accepted() -> None:
    assert ContactData(fiscal_code="RSSMRA85T10A56NS").can_reach(Channel.APP_IO)
    assert ContactData(fiscal_code=CF.lower()).can_reach(Channel.APP_IO)


def test_after_gives_the_failover_tail() -> None:
    choice = choose_channels(consent=True, contact=EVERYTHING)
    assert choice.after(Channel.SMS) == (Channel.EMAIL, Channel.APP_IO)
    assert choice.after(Channel.APP_IO) == ()
