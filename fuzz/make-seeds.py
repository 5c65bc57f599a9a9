#!/usr/bin/env python3
"""Writes the seed corpus of the npy, idx and png fuzz targets (fuzz/corpus/).

    fuzz/make-seeds.py             rewrite fuzz/corpus/{npy,idx,png}/

The committed files are its output; run it again only to change the seeds.
The spec seeds are copies of examples/ and test/Frontend/ specs; the
artifact seeds come from `gantk compile` (fuzz/README.md says how).
Needs python3-numpy (scripts/setup installs it).
"""
import gzip
import os
import struct
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

def npy_seeds(d):
    np.save(os.path.join(d, 'f32_2x3.npy'), np.arange(6,dtype=np.float32).reshape(2,3))
    np.save(os.path.join(d, 'f64_4x2.npy'), np.linspace(0,1,8).reshape(4,2))
    np.save(os.path.join(d, 'u8_2x3x3.npy'), np.arange(18,dtype=np.uint8).reshape(2,3,3))
    np.save(os.path.join(d, 'f32_2x2x2x3.npy'), np.ones((2,2,2,3),dtype=np.float32))
    np.save(os.path.join(d, 'f64_1d.npy'), np.zeros(3))
    np.save(os.path.join(d, 'f64_0d.npy'), np.float64(1.5))
    np.save(os.path.join(d, 'f32_empty.npy'), np.zeros((0,4),dtype=np.float32))
    np.save(os.path.join(d, 'i32_bad_dtype.npy'), np.zeros((2,2),dtype=np.int32))
    np.save(os.path.join(d, 'fortran.npy'), np.asfortranarray(np.zeros((2,3))))
    b=open(os.path.join(d, 'f64_4x2.npy'),'rb').read()
    hl=b[8]|b[9]<<8
    open(os.path.join(d, 'v2_f64.npy'),'wb').write(b'\x93NUMPY\x02\x00'+struct.pack('<I',hl)+b[10:])
    open(os.path.join(d, 'truncated.npy'),'wb').write(b[:-5])
    h="{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (3, 1), }"
    h=h+' '*((64-(10+len(h)+1)%64)%64)+'\n'
    open(os.path.join(d, 'dq.npy'),'wb').write(b'\x93NUMPY\x01\x00'+struct.pack('<H',len(h))+h.encode()+np.ones(3,np.float32).tobytes())


def idx_seeds(d):
    def idx(shape, data):
        return bytes([0,0,8,len(shape)])+b''.join(struct.pack('>I',s) for s in shape)+bytes(data)
    img=idx([3,4,4], range(48)); lab=idx([3],[1,2,1])
    open(os.path.join(d, 'images-3x4x4.idx'),'wb').write(img)
    open(os.path.join(d, 'labels-3.idx'),'wb').write(lab)
    open(os.path.join(d, 'images-3x4x4.idx.gz'),'wb').write(gzip.compress(img, mtime=0))
    open(os.path.join(d, 'labels-3.idx.gz'),'wb').write(gzip.compress(lab, mtime=0))
    open(os.path.join(d, 'two-members.gz'),'wb').write(gzip.compress(img[:20],mtime=0)+gzip.compress(img[20:],mtime=0))
    open(os.path.join(d, 'flat-2x5.idx'),'wb').write(idx([2,5],range(10)))
    open(os.path.join(d, 'truncated.idx'),'wb').write(img[:-3])
    open(os.path.join(d, 'float-type.idx'),'wb').write(bytes([0,0,0x0d,1,0,0,0,1])+b'\0\0\0\0')
    


def png_seeds(d):
    def chunk(t,data): return struct.pack('>I',len(data))+t+data+struct.pack('>I',zlib.crc32(t+data)&0xffffffff)
    def png(w,h,depth,ctype,rows,interlace=0,extra=b''):
        ihdr=struct.pack('>IIBBBBB',w,h,depth,ctype,0,0,interlace)
        raw=b''.join(b'\0'+r for r in rows)
        return b'\x89PNG\r\n\x1a\n'+chunk(b'IHDR',ihdr)+extra+chunk(b'IDAT',zlib.compress(raw))+chunk(b'IEND',b'')
    open(os.path.join(d, 'grey8_3x2.png'),'wb').write(png(3,2,8,0,[bytes([0,128,255]),bytes([1,2,3])]))
    open(os.path.join(d, 'rgb8_2x2.png'),'wb').write(png(2,2,8,2,[bytes(range(6)),bytes(range(6,12))]))
    open(os.path.join(d, 'rgba16_1x2.png'),'wb').write(png(1,2,16,6,[bytes(range(8)),bytes(range(8,16))]))
    open(os.path.join(d, 'grey1_8x1.png'),'wb').write(png(8,1,1,0,[bytes([0b10110010])]))
    open(os.path.join(d, 'greyalpha8_2x1.png'),'wb').write(png(2,1,8,4,[bytes([10,255,20,128])]))
    open(os.path.join(d, 'palette2_4x1.png'),'wb').write(png(4,1,2,3,[bytes([0b00011011])],extra=chunk(b'PLTE',bytes(range(12)))+chunk(b'tRNS',bytes([255,0]))))
    def adam7(w,h,pix):
        passes=[(0,0,8,8),(4,0,8,8),(0,4,4,8),(2,0,4,4),(0,2,2,4),(1,0,2,2),(0,1,1,2)]
        out=b''
        for x0,y0,dx,dy in passes:
            xs=list(range(x0,w,dx)); ys=list(range(y0,h,dy))
            if not xs or not ys: continue
            for y in ys: out+=b'\0'+bytes(pix[y][x] for x in xs)
        return out
    pix=[[y*3+x for x in range(3)] for y in range(3)]
    ihdr=struct.pack('>IIBBBBB',3,3,8,0,0,0,1)
    open(os.path.join(d, 'grey8_interlaced_3x3.png'),'wb').write(b'\x89PNG\r\n\x1a\n'+chunk(b'IHDR',ihdr)+chunk(b'IDAT',zlib.compress(adam7(3,3,pix)))+chunk(b'IEND',b''))
    open(os.path.join(d, 'truncated.png'),'wb').write(png(3,2,8,0,[bytes([0,128,255]),bytes([1,2,3])])[:-20])


if __name__ == "__main__":
    for name, make in (("npy", npy_seeds), ("idx", idx_seeds), ("png", png_seeds)):
        d = os.path.join(HERE, "corpus", name)
        os.makedirs(d, exist_ok=True)
        make(d)
