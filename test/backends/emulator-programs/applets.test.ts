import { describe, expect, it } from 'vitest';
import { createRootfs, sh } from './helpers/harness.js';

/** [script, expected stdout, expected exit code] */
const cases: [string, string, number][] = [
  // Files
  ['test -d /x || mkdir -p /x/y; test -d /x/y && echo made', 'made\n', 0],
  ['mkdir /tmp; echo $?', '1\n', 0],
  ['mkdir -m 700 /priv; stat -c %a /priv', '700\n', 0],
  ['echo a > /a; cp /a /b; mv /b /c; cat /c; ls / | grep -c "^[abc]$"', 'a\n2\n', 0],
  ['mkdir -p /s/d; echo f > /s/d/f; cp -r /s /t; cat /t/d/f; rm -rf /s; ls /s 2>&1', "f\nls: /s: No such file or directory\n", 1],
  ['cp /nope /x 2>&1; rm /nope 2>&1; rm -f /nope; echo $?', "cp: can't stat '/nope': No such file or directory\nrm: can't remove '/nope': No such file or directory\n0\n", 0],
  ['mkdir /d; rm /d 2>&1; rmdir /d; echo $?', "rm: '/d' is a directory\n0\n", 0],
  ['echo t > /t; ln -s /t /l; cat /l; readlink_out=$(ls -l /l); echo "${readlink_out##* }"; ln -sf /etc /l; ls -l /l | grep -c "/etc"', 't\n/t\n1\n', 0],
  ['touch /new; test -f /new && test ! -s /new && echo empty', 'empty\n', 0],
  ['touch /m; chmod 640 /m; stat -c %A /m; chmod u+x,o+r /m; stat -c %a /m; chmod a-rwx /m; stat -c %a /m', '-rw-r-----\n744\n0\n', 0],
  ['touch /o; chown www:www-data /o; stat -c "%u:%g %U:%G" /o; chown 0 /o; stat -c %U /o', '33:33 www:www-data\nroot\n', 0],
  ['mkdir /l; touch /l/b /l/a /l/.h; ls /l; ls -a /l | head -2; ls -d /l; ls -1 /l | wc -l', 'a\nb\n.\n..\n/l\n2\n', 0],
  ['mkdir -p /r/s; touch /r/s/f; ls -R /r', '/r:\ns\n\n/r/s:\nf\n', 0],
  ['echo 12345 > /f; ls -l /f | cut -c1-10; ls -l /f | tr -s " " | cut -d" " -f3-5', '-rw-r--r--\nroot root 6\n', 0],
  // Text
  ['printf "a\\nb\\nc\\nd\\n" > /f; head -n 2 /f; tail -n 1 /f; tail -n +3 /f; head -1 /f', 'a\nb\nd\nc\nd\na\n', 0],
  ['printf "one two\\nthree\\n" > /f; wc -l /f; wc -w < /f; wc /f; wc -c /f', '2 /f\n3\n        2         3        14 /f\n14 /f\n', 0],
  ['printf "apple\\nBanana\\ncherry\\n" > /f; grep an /f; grep -i an /f; grep -v e /f; grep -n rr /f; grep -c a /f', 'Banana\nBanana\nBanana\n3:cherry\n2\n', 0],
  ['printf "ab1\\nab22\\nx\\n" > /f; grep -E "b[0-9]{2}" /f; grep "b[0-9]\\{1\\}$" /f; grep -q x /f && echo found; grep zz /f; echo $?', 'ab22\nab1\nfound\n1\n', 0],
  ['mkdir -p /g/s; echo needle > /g/s/f; echo hay > /g/h; grep -r needle /g; grep -l needle -r /g', '/g/s/f:needle\n/g/s/f\n', 0],
  ['grep x /nofile; echo $?', '2\n', 0],
  ['echo hello | tee /t1 /t2 > /dev/null; cat /t1 /t2; echo more | tee -a /t1 >/dev/null; cat /t1', 'hello\nhello\nhello\nmore\n', 0],
  ['printf "3\\n1\\n10\\n2\\n" | sort; printf "3\\n1\\n10\\n2\\n" | sort -n; printf "b\\na\\nb\\n" | sort -u; printf "1\\n3\\n2\\n" | sort -rn', '1\n10\n2\n3\n1\n2\n3\n10\na\nb\n3\n2\n1\n', 0],
  ['printf "a\\na\\nb\\na\\n" | uniq; printf "a\\na\\nb\\n" | uniq -c', 'a\nb\na\n      2 a\n      1 b\n', 0],
  ['echo "root:x:0:0" | cut -d: -f1,3; echo abcdef | cut -c2-4; echo "a b c" | cut -d" " -f2-', 'root:0\nbcd\nb c\n', 0],
  ['echo hello | tr a-z A-Z; echo "a  b   c" | tr -s " "; echo hello | tr -d l; echo abc | tr "[:lower:]" "[:upper:]"', 'HELLO\na b c\nheo\nABC\n', 0],
  ['echo "hello world" | sed "s/o/0/"; echo "hello world" | sed "s/o/0/g"; echo aaa | sed -n "s/a/b/p"; printf "1\\n2\\n3\\n" | sed 2d; printf "1\\n2\\n3\\n" | sed -n 2p', 'hell0 world\nhell0 w0rld\nbaa\n1\n3\n2\n', 0],
  ['printf "k=v\\nx=y\\n" > /c; sed -i "s/^k=.*/k=new/" /c; cat /c; sed -e "s/x/X/" -e "s/y/Y/" /c; echo "ab" | sed -E "s/(a)(b)/\\2\\1/"; printf "a\\nb\\nc\\n" | sed "/b/d"; printf "1\\n2\\n3\\n" | sed "\\$d"', 'k=new\nx=y\nk=new\nX=Y\nba\na\nc\n1\n2\n', 0],
  ['printf "1\\n2\\n3\\n4\\n" | sed -n "2,3p"; echo path/to/file | sed "s|/|:|g"', '2\n3\npath:to:file\n', 0],
  // Search
  ['mkdir -p /f/a/b; touch /f/x.txt /f/a/y.txt /f/a/b/z.log; find /f -name "*.txt" | sort; find /f -type d | sort; find /f -maxdepth 1 -type f', '/f/a/y.txt\n/f/x.txt\n/f\n/f/a\n/f/a/b\n/f/x.txt\n', 0],
  ['mkdir /e; touch /e/1 /e/2; find /e -type f -exec echo found {} \\; | sort', 'found /e/1\nfound /e/2\n', 0],
  ['which sh ls; which nosuch; echo $?', '/bin/sh\n/bin/ls\n1\n', 0],
  ['echo a b c | xargs -n 1 echo x; seq 3 | xargs; printf "f1\\nf2\\n" | xargs -I{} echo "<{}>"', 'x a\nx b\nx c\n1 2 3\n<f1>\n<f2>\n', 0],
  // System
  ['id; id -u; id -g; id -un; id -gn; whoami; id www', 'uid=0(root) gid=0(root) groups=0(root)\n0\n0\nroot\nroot\nroot\nuid=33(www) gid=33(www-data) groups=33(www-data)\n', 0],
  ['uname; uname -m; uname -s -r; uname -a | cut -d" " -f1-2', 'Linux\nx86_64\nLinux 6.1.0-stowage\nLinux box\n', 0],
  ['hostname; env | grep ^HOME=; env -i FOO=1 env; env X=2 sh -c "echo \\$X"', 'box\nHOME=/root\nFOO=1\n2\n', 0],
  ['date -d @0 +%Y-%m-%dT%H:%M:%S; date +%s | grep -cE "^[0-9]+$"', '1970-01-01T00:00:00\n1\n', 0],
  ['seq 3; seq 2 4 | tr "\\n" " "; echo; seq -s, 1 2 7; seq 3 -1 1 | head -1', '1\n2\n3\n2 3 4 \n1,3,5,7\n3\n', 0],
  ['basename /a/b/c.txt; basename /a/b/c.txt .txt; dirname /a/b/c.txt; dirname file', 'c.txt\nc\n/a/b\n.\n', 0],
  ['echo -e "a\\tb" ; echo -n x; echo; printf "%s\\n" "$(echo sub)"', 'a\tb\nx\nsub\n', 0],
  ['du -s /etc | cut -f2; df | head -1 | cut -c1-10; mount | head -1', '/etc\nFilesystem\noverlay on / type overlay (rw,relatime)\n', 0],
  ['stat /etc/passwd | head -1; stat -c "%s %F" /etc/group', '  File: /etc/passwd\n42 regular file\n', 0],
  ['kill 1; echo $?; ps | head -1', '1\nPID   USER     TIME  COMMAND\n', 0],
  ['yes | head -n 3; yes ab | head -n 1', 'y\ny\ny\nab\n', 0],
  ['cat /dev/null; cat /nofile; echo $?', '1\n', 0],
  ['echo in | cat - /etc/hostname 2>/dev/null; echo $?', 'in\n1\n', 0],
];

describe('applets', () => {
  for (const [script, stdout, code] of cases) {
    it(JSON.stringify(script), async () => {
      const r = await sh(script);
      expect({ stdout: r.stdout, code: r.code }).toEqual({ stdout, code });
    });
  }

  it('prints busybox long listings', async () => {
    const fs = await createRootfs();
    await fs.writeFile('/tmp/f', 'hello\n');
    await fs.utimes('/tmp/f', new Date());
    const r = await sh('ls -l /tmp', { fs });
    expect(r.stdout).toMatch(/^total 4\n-rw-r--r-- {4}1 root {5}root {13}6 [A-Z][a-z]{2} [ \d]\d \d\d:\d\d f\n$/);
  });

  it('creates files as the user in STOWAGE_UID/STOWAGE_GID', async () => {
    const r = await sh('echo x > /tmp/r; touch /tmp/t; mkdir /tmp/d; cp /etc/group /tmp/c; id; stat -c "%U:%G" /tmp/r /tmp/t /tmp/d /tmp/c /etc/group', {
      env: { STOWAGE_UID: '33', STOWAGE_GID: '33' },
    });
    expect(r.stdout).toBe('uid=33(www) gid=33(www-data) groups=33(www-data)\n' + 'www:www-data\n'.repeat(4) + 'root:root\n');
  });

  it('rejects unknown options the way busybox does', async () => {
    const r = await sh('ls -Z /');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("ls: invalid option -- 'Z'\n");
  });
});
