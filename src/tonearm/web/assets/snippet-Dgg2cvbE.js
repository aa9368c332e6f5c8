import{av as p,aw as t,ax as c}from"./index-DLuo_Vtx.js";function l(n,s,...e){var r=new c(n);p(()=>{const a=s()??null;r.ensure(a,a&&(o=>a(o,...e)))},t)}export{l as s};
