"""OpenAPI descriptions of the API's two ways to authenticate (drf-spectacular extensions)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SigV4Scheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.authentication.SigV4Authentication"
    name = "SigV4"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "AWS Signature Version 4 with an access key pair of an IAM user, "
            "the root user or a role session (X-Amz-Security-Token for temporary "
            "credentials). Any SigV4 client works: boto3's SigV4Auth, requests-aws4auth, "
            "awscurl.",
        }


class ConsoleSessionScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.authentication.ConsoleSessionAuthentication"
    name = "ConsoleSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The browser's console session; unsafe methods need the "
            "X-CSRFToken header.",
        }
