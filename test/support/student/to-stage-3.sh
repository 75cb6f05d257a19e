#!/usr/bin/env bash
# A student takes the reference lab (practica6) from stage 2 to stage 3 by hand, as section 7 of the
# handout says: bridge brin (the handout's vswin1/vswin2) in each host, web servers serv1, serv2
# (host1) and serv3 (host2) at 10.0.0.1-3/24 with their own index.php, the balancers' inner NICs
# 10.0.0.250/.251 and haproxy on port 8000 sharing the three servers round robin with health checks
# (the spec's: every 2 s, up after 2, down after 3).
#   to-stage-3.sh LABDIR LAB      (root)
# The handout's `lxc publish ser1/conApache` is `serv1/conApache` (FACTS); here apache2 and mod_php
# come from the machine (the emulation's "image"), so every server has them at once.
. "$(dirname "$0")/lib.sh" "$@"

php_module=$(compgen -G '/usr/lib/apache2/modules/libphp*.so' | sort | tail -n 1)

inner_bridge() {
  local vm=$1
  say "$vm: brin, no STP (the inner LAN has no loop)"
  on "$vm" ip link add brin type bridge
  on "$vm" ip link set brin up
}

# What `apk add apache2 php-apache2` puts in the image (/etc/apache2/httpd.conf), reduced to what
# serves index.php; Debian's apache2 runs it here, so the paths are the container's folder.
httpd_conf() {
  local c=$1 r
  r=$(rootfs "$c")
  mkdir -p "$r/etc/apache2" "$r/run/apache2" "$r/var/log/apache2" "$r/var/www/localhost/htdocs"
  chmod -R a+rX "$r"
  cat >"$r/etc/apache2/httpd.conf" <<CONF
ServerRoot /etc/apache2
LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule php_module $php_module
User www-data
Group www-data
ServerName $c
Listen 80
PidFile $r/run/apache2/httpd.pid
DefaultRuntimeDir $r/run/apache2
Mutex file:$r/run/apache2 default
ErrorLog $r/var/log/apache2/error.log
TypesConfig /etc/mime.types
DocumentRoot $r/var/www/localhost/htdocs
<Directory $r/var/www/localhost/htdocs>
    Require all granted
</Directory>
DirectoryIndex index.php index.html
<FilesMatch "\.php\$">
    SetHandler application/x-httpd-php
</FilesMatch>
CONF
}

server() {
  local c=$1 vm=$2 addr=$3 veth=$4 r
  say "$vm: lxc launch $c; veth ${veth}_a (on brin) / ${veth}_b (in $c) with $addr"
  launch "$c"
  cable "$vm" "${veth}_a" brin "$c" "${veth}_b"
  on "$c" ip addr add "$addr" dev "${veth}_b"
  httpd_conf "$c"
  r=$(rootfs "$c")
  say "$c: /var/www/localhost/htdocs/index.php"
  cat >"$r/var/www/localhost/htdocs/index.php" <<PAGE
<html><body><h1>Esto es el servidor $c</h1>
<p>El cliente que ha pedido esta pagina tiene direccion:
<?php
print_r(\$_SERVER[ 'REMOTE_ADDR' ] );
?>
</body></html>
PAGE
  chmod 644 "$r/var/www/localhost/htdocs/index.php"
  say "$c: /etc/init.d/apache2 start"
  start_in "$c" apache2 -f "$r/etc/apache2/httpd.conf" -k start
}

balancer() {
  local c=$1 vm=$2 addr=$3 veth=$4 r
  say "$c: veth ${veth}_a (on brin of $vm) / ${veth}_b with $addr"
  cable "$vm" "${veth}_a" brin "$c" "${veth}_b"
  on "$c" ip addr add "$addr" dev "${veth}_b"
  r=$(rootfs "$c")
  mkdir -p "$r/etc/haproxy" "$r/run"
  say "$c: /etc/haproxy/haproxy.cfg"
  cat >"$r/etc/haproxy/haproxy.cfg" <<'CONF'
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s

frontend miservidor
  bind *:8000
  default_backend misServidores

backend misServidores
  balance roundrobin
  default-server inter 2s rise 2 fall 3
  server serv1 10.0.0.1:80 check
  server serv2 10.0.0.2:80 check
  server serv3 10.0.0.3:80 check
CONF
  say "$c: /etc/init.d/haproxy restart"
  start_in "$c" haproxy -D -f "$r/etc/haproxy/haproxy.cfg" -p "$r/run/haproxy.pid"
}

inner_bridge host1
inner_bridge host2
server serv1 host1 10.0.0.1/24 vserv1
server serv2 host1 10.0.0.2/24 vserv2
server serv3 host2 10.0.0.3/24 vserv3
balancer bal1 host1 10.0.0.250/24 vbal1in
balancer bal2 host2 10.0.0.251/24 vbal2in
say "done (bal1 shares serv1 and serv2; serv3 is beyond the split inner LAN until stage 4)"
