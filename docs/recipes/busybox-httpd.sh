# busybox httpd needs no configuration file: it runs every executable in
# /srv/tsgi/www/cgi-bin/ as a CGI program (the wrapper of cgi-wrapper.sh, say).
# -f: stay in the foreground (for a process manager); -vv: log each request.
busybox httpd -f -vv -p 127.0.0.1:8080 -h /srv/tsgi/www
