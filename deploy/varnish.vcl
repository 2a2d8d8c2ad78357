# Varnish in front of newsgraph (in front of nginx, or of one replica): a shared HTTP cache
# for persisted-query GETs. newsgraph says what may be kept and for how long
# (Cache-Control: s-maxage, stale-while-revalidate; no-store; private): this VCL follows it
# and adds nothing of its own but an X-Cache header. Tested as is by
# tests/test_deploy_varnish.py (backend port replaced).
vcl 4.1;

backend default {
    .host = "127.0.0.1";
    .port = "8080";
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
}

sub vcl_recv {
    if (req.http.Upgrade ~ "(?i)websocket") {
        return (pipe);                      # subscriptions go straight through
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);                      # POST queries are not cached
    }
    if (req.http.Authorization) {
        return (pass);                      # the access token's answers are never shared
    }
    unset req.http.Cookie;
    # the media type follows Accept (Vary: Accept): keep one variant per type asked for
    if (req.http.Accept ~ "text/html") {
        set req.http.Accept = "text/html";
    } elsif (req.http.Accept ~ "application/graphql-response\+json") {
        set req.http.Accept = "application/graphql-response+json";
    } else {
        set req.http.Accept = "application/json";
    }
    return (hash);
}

sub vcl_pipe {
    if (req.http.Upgrade) {
        set bereq.http.Upgrade = req.http.Upgrade;
        set bereq.http.Connection = req.http.Connection;
    }
}

sub vcl_backend_response {
    # an answer that says nothing about caching is never kept (no default TTL for an API)
    if (!beresp.http.Cache-Control) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
