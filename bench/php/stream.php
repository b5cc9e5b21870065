<?php
// 64 KiB as 16 writes of 4 KiB, like the other subjects.
header('Content-Type: application/octet-stream');
$chunk = str_repeat('a', 4096);
for ($i = 0; $i < 16; $i++) echo $chunk;
