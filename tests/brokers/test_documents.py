"""Configuration documents: precise errors with line numbers, Amazon MQ's sanitization."""

import pytest

from brokers import documents
from brokers.errors import BadRequest

NS = "http://activemq.apache.org/schema/core"


def _error(engine, data) -> str:
    with pytest.raises(BadRequest) as error:
        documents.check_document(engine, data)
    assert error.value.error_attribute == "data"
    return error.value.message


def test_default_documents_are_valid():
    for engine in ("ACTIVEMQ", "RABBITMQ"):
        checked = documents.check_document(engine, documents.default_data(engine))
        assert checked.warnings == []


def test_malformed_xml_names_the_line_and_column():
    message = _error("ACTIVEMQ", f'<broker xmlns="{NS}">\n  <plugins>\n</broker>\n')
    assert message.startswith("The configuration is not well-formed XML: mismatched tag")
    assert "(line 3, column" in message


def test_document_type_declarations_are_refused():
    bomb = '<!DOCTYPE b [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>\n<broker>&b;</broker>'
    assert "Document type declarations are not allowed" in _error("ACTIVEMQ", bomb)


def test_root_must_be_the_activemq_broker():
    message = _error("ACTIVEMQ", '<beans xmlns="http://www.springframework.org/schema/beans"/>')
    assert "The root element must be <broker" in message and "not <beans>" in message


def test_empty_document_is_refused():
    assert "must not be empty" in _error("ACTIVEMQ", "  ")


def test_disallowed_elements_and_attributes_are_removed_with_warnings():
    data = (
        '<?xml version="1.0"?>\n'
        f'<broker xmlns="{NS}" persistent="maybe" brokerName="x" schedulerSupport="true">\n'
        "  <plugins>\n"
        '    <jaasAuthenticationPlugin configuration="activemq-domain"/>\n'
        '    <timeStampingBrokerPlugin zeroExpirationOverride="1000"/>\n'
        "  </plugins>\n"
        "  <sslContext><sslContext/></sslContext>\n"
        "</broker>\n"
    )
    checked = documents.check_document("ACTIVEMQ", data)
    assert checked.warnings == [
        {
            "attributeName": "persistent",
            "elementName": "broker",
            "reason": "INVALID_ATTRIBUTE_VALUE_REMOVED",
        },
        {
            "attributeName": "brokerName",
            "elementName": "broker",
            "reason": "DISALLOWED_ATTRIBUTE_REMOVED",
        },
        {"elementName": "jaasAuthenticationPlugin", "reason": "DISALLOWED_ELEMENT_REMOVED"},
        {"elementName": "sslContext", "reason": "DISALLOWED_ELEMENT_REMOVED"},
    ]
    assert checked.warning_lines == [2, 2, 4, 7]
    assert "jaasAuthenticationPlugin" not in checked.data and "sslContext" not in checked.data
    assert "timeStampingBrokerPlugin" in checked.data and 'schedulerSupport="true"' in checked.data
    assert checked.data.startswith('<?xml version="1.0"?>')
    assert documents.check_document("ACTIVEMQ", checked.data).warnings == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            "consumer_timeout = 1800000\nheartbeat",
            "Expected 'key = value', got 'heartbeat' (line 2)",
        ),
        ("# comment\n\nlog.level = debug", "log.level is not a configurable value"),
        ("heartbeat = soon", "heartbeat must be a whole number"),
        ("channel_max = 70000", "channel_max must be between 0 and 65535, not 70000 (line 1)"),
        (
            "secure.management.http.headers.enabled = yes",
            "must be true or false, not 'yes' (line 1)",
        ),
        ("heartbeat = 60\nheartbeat = 30", "The key heartbeat is already set on line 1 (line 2)"),
    ],
)
def test_rabbitmq_lines_are_checked_with_their_line_number(data, expected):
    assert expected in _error("RABBITMQ", data)


def test_rabbitmq_access_settings_and_role_reference():
    data = (
        "auth_backends.1 = internal\nauth_backends.2 = ldap\n"
        "aws.arns.assume_role_arn = arn:aws:iam::111122223333:role/MqLdap\n"
    )
    checked = documents.check_document("RABBITMQ", data)
    assert checked.references_role
    assert documents.assume_role_arn("RABBITMQ", data) == "arn:aws:iam::111122223333:role/MqLdap"
    assert set(documents.access_settings("RABBITMQ", data)) == {
        "auth_backends.1",
        "auth_backends.2",
        "aws.arns.assume_role_arn",
    }
    assert documents.assume_role_arn("ACTIVEMQ", data) is None


def test_revision_diff_marks_lines():
    diff = documents.revision_diff(
        "a\nb\n", "a\nc\n", old_label="revision 1", new_label="revision 2"
    )
    kinds = [kind for kind, _ in diff]
    assert kinds == ["header", "header", "hunk", "context", "remove", "add"]
    assert diff[4] == ("remove", "-b") and diff[5] == ("add", "+c")
