"""AWS's IAM and STS Query APIs at the console's base URL (``POST /``), for boto3 and the CLI.

botocore's own service models drive the wire format (``protocol``: parameters in, XML out);
handlers per entity call the same services and the same ``authorize`` seam as the console.
"""
