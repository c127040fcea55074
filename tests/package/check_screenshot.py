#!/usr/bin/env python3
"""Checks a binary PPM screenshot (grim -t ppm) of the kiosk's first screen.

    check_screenshot.py FILE nonblack   not all black
    check_screenshot.py FILE ui         1280x800, not black, more than a few colours
    check_screenshot.py FILE standin    1280x800 and the stand-in's known picture
"""
import sys


def read_ppm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P6" or fields[3] != b"255":
        raise SystemExit(f"{path}: not an 8-bit binary PPM")
    w, h = int(fields[1]), int(fields[2])
    pixels = data[pos:pos + w * h * 3]
    if len(pixels) != w * h * 3:
        raise SystemExit(f"{path}: truncated")
    return w, h, pixels


def main():
    path, mode = sys.argv[1], sys.argv[2]
    w, h, px = read_ppm(path)
    at = lambda x, y: tuple(px[(y * w + x) * 3:(y * w + x) * 3 + 3])
    if not any(px):
        raise SystemExit("all black")
    if mode == "nonblack":
        return
    if (w, h) != (1280, 800):
        raise SystemExit(f"size {w}x{h}, expected the output's 1280x800")
    if mode == "ui":
        colours = {px[i:i + 3] for i in range(0, len(px), 3 * 97)}
        if len(colours) < 4:
            raise SystemExit(f"only {len(colours)} colours: not a drawn screen")
    elif mode == "standin":
        expect = {(w // 4, h // 4): (0, 128, 128), (3 * w // 4, h // 4): (255, 140, 0),
                  (w // 2, h // 2): (255, 255, 255), (w // 4, 3 * h // 4): (0, 128, 128)}
        for (x, y), rgb in expect.items():
            if at(x, y) != rgb:
                raise SystemExit(f"pixel {x},{y} is {at(x, y)}, expected {rgb}")
    print(f"{path}: {w}x{h} {mode} ok")


if __name__ == "__main__":
    main()
